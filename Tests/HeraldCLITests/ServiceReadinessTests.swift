import Foundation
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// systemd's `Type=notify` readiness, as `herald run` reports it: READY=1 once
/// the policy is loaded, the log verified and every listener bound, and
/// STOPPING=1 when it shuts down; both to a socket named by NOTIFY_SOCKET.
@Suite("herald run tells systemd when it is ready and when it stops", .serialized)
struct ServiceReadinessTests {
    /// A Unix datagram socket standing in for systemd's notify socket.
    final class NotifySocket {
        let fd: Int32
        let name: String

        /// Binds `name`: a path, or an abstract name written `@name` as in NOTIFY_SOCKET.
        init(name: String) throws {
            self.name = name
            fd = socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue), 0)
            var address = sockaddr_un()
            address.sun_family = sa_family_t(AF_UNIX)
            var bytes = Array(name.utf8)
            let abstract = bytes.first == UInt8(ascii: "@")
            if abstract { bytes[0] = 0 }
            withUnsafeMutableBytes(of: &address.sun_path) { $0.copyBytes(from: bytes) }
            let length = socklen_t(MemoryLayout.offset(of: \sockaddr_un.sun_path)! + bytes.count + (abstract ? 0 : 1))
            let bound = withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) }
            }
            guard fd >= 0, bound == 0 else { throw AgentProcessCluster.Failure(description: "cannot bind \(name): \(errno)") }
        }

        /// The next datagram; nil after 30 s without one. Polls without blocking a thread.
        func receive() async -> String? {
            var buffer = [UInt8](repeating: 0, count: 4096)
            for _ in 0..<1500 {
                let count = recv(fd, &buffer, buffer.count, Int32(MSG_DONTWAIT))
                if count > 0 { return String(decoding: buffer[..<count], as: UTF8.self) }
                try? await Task.sleep(for: .milliseconds(20))
            }
            return nil
        }

        deinit {
            close(fd)
            if !name.hasPrefix("@") { unlink(name) }
        }
    }

    @Test("READY=1 after the control socket is bound, STOPPING=1 on SIGTERM; a path and an abstract socket",
          .timeLimit(.minutes(1)))
    func readiness() async throws {
        let cluster = try AgentProcessCluster(count: 2)  // two genesis validators: the policy needs two approvals
        defer { cluster.tearDown() }
        try await cluster.initialise()
        let names = [cluster.root.appendingPathComponent("notify.sock").path, "@herald-notify-\(UUID().uuidString.prefix(8))"]
        for name in names {
            let notify = try NotifySocket(name: name)
            try cluster.start(1, environment: ["NOTIFY_SOCKET": name])
            let ready = try #require(await notify.receive(), "no notification on \(name)\n\(cluster.logTail(1))")
            #expect(ready.hasPrefix("READY=1\nSTATUS=listening on 127.0.0.1:"), "\(ready)")
            // Ready means ready: the control socket answers at once.
            #expect(FileManager.default.fileExists(atPath: cluster.dataDirectory(1) + "/herald.sock"))
            let summary = try await cluster.command(1, ["status"])
            #expect(summary.contains("enode: enode://"), "\(summary)")
            try await cluster.stop(1)
            #expect(await notify.receive() == "STOPPING=1")
        }
    }
}
