import Foundation
import NIOConcurrencyHelpers
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Runs one shell command with input on stdin, a timeout, and its combined
/// output captured (the last 2 KiB are kept for the error message).
package enum CommandRunner {
    /// Runs `command` under `/bin/sh -c`.
    /// - Throws: ``NodeAdapterError/commandFailed(command:status:output:)``,
    ///   ``NodeAdapterError/commandTimedOut(command:seconds:)`` or
    ///   ``NodeAdapterError/commandNotStarted(command:reason:)``.
    package static func run(_ command: String, input: Data, environment: [String: String], timeoutSeconds: Double) async throws(NodeAdapterError) {
        // A command that exits without reading stdin must not kill the agent with SIGPIPE.
        signal(SIGPIPE, SIG_IGN)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/sh")
        process.arguments = ["-c", command]
        process.environment = environment
        let stdin = Pipe()
        let output = Pipe()
        process.standardInput = stdin
        process.standardOutput = output
        process.standardError = output

        let finished = NIOLockedValueBox<CheckedContinuation<Void, Never>?>(nil)
        let exited = NIOLockedValueBox(false)
        process.terminationHandler = { _ in
            let continuation = finished.withLockedValue { value -> CheckedContinuation<Void, Never>? in
                defer { value = nil }
                return value
            }
            exited.withLockedValue { $0 = true }
            continuation?.resume()
        }
        do {
            try process.run()
        } catch {
            throw .commandNotStarted(command: command, reason: error.localizedDescription)
        }
        let pid = process.processIdentifier

        // Feed stdin and drain output off the cooperative pool (pipes block).
        let writer = Thread {
            let handle = stdin.fileHandleForWriting
            try? handle.write(contentsOf: input)
            try? handle.close()
        }
        writer.start()
        let captured = NIOLockedValueBox(Data())
        let readerDone = DispatchSemaphore(value: 0)
        let reader = Thread {
            let data = output.fileHandleForReading.readDataToEndOfFile()
            captured.withLockedValue { $0 = data }
            readerDone.signal()
        }
        reader.start()

        let timedOut = NIOLockedValueBox(false)
        let watchdog = Task {
            try await Task.sleep(for: .milliseconds(Int64(timeoutSeconds * 1000)))
            timedOut.withLockedValue { $0 = true }
            kill(pid, SIGKILL)
        }
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let alreadyExited = exited.withLockedValue { done in done }
            if alreadyExited {
                continuation.resume()
            } else {
                finished.withLockedValue { $0 = continuation }
                // The handler may have run between the check and the store.
                if exited.withLockedValue({ $0 }) {
                    let pending = finished.withLockedValue { value -> CheckedContinuation<Void, Never>? in
                        defer { value = nil }
                        return value
                    }
                    pending?.resume()
                }
            }
        }
        watchdog.cancel()
        // Children of the shell may keep the pipe open; do not wait for them forever.
        _ = readerDone.wait(timeout: .now() + 2)

        if timedOut.withLockedValue({ $0 }) {
            throw .commandTimedOut(command: command, seconds: timeoutSeconds)
        }
        let status = process.terminationStatus
        guard process.terminationReason == .exit, status == 0 else {
            let text = String(decoding: captured.withLockedValue { $0 }.suffix(2048), as: UTF8.self)
                .trimmingCharacters(in: .whitespacesAndNewlines)
            let shownStatus = process.terminationReason == .exit ? status : 128 + status
            throw .commandFailed(command: command, status: shownStatus, output: text)
        }
    }
}
