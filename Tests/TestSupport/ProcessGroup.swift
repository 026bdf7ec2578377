import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// How a child process ended.
package enum Termination: Equatable, CustomStringConvertible {
    case exited(Int32)
    case signalled(Int32)

    /// Decodes a `waitpid` status (the `WIFEXITED` / `WTERMSIG` macros are not imported).
    package init(waitStatus status: Int32) {
        self = status & 0x7f == 0 ? .exited((status >> 8) & 0xff) : .signalled(status & 0x7f)
    }

    package var description: String {
        switch self {
        case .exited(let code): return "exit \(code)"
        case .signalled(let signal): return "signal \(signal)"
        }
    }
}

/// Processes a test starts, each the leader of a process group of its own,
/// so that a signal sent to the group also reaches whatever it spawned.
/// ``killAll()`` SIGKILLs and reaps every group still alive: call it in
/// `defer`, so that no process outlives its test, whichever way it ends.
package final class ProcessGroup: @unchecked Sendable {
    package struct Failure: Error, CustomStringConvertible {
        package let description: String
        package init(description: String) { self.description = description }
    }

    package init() {}

    private let lock = NSLock()
    private var alive: Set<pid_t> = []

    /// Starts `executable` with `arguments`, standard input from /dev/null,
    /// standard output and error appended to `stdout` and `stderr`, and
    /// `environment` added to this process's, in `directory` if given.
    package func spawn(_ executable: String, _ arguments: [String], stdout: String, stderr: String,
               environment: [String: String] = [:], directory: String? = nil) throws -> pid_t {
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        // Own process group (pgid = pid), no blocked signals, default SIGTERM and SIGINT handling.
        var none = sigset_t()
        sigemptyset(&none)
        var defaults = sigset_t()
        sigemptyset(&defaults)
        sigaddset(&defaults, SIGTERM)
        sigaddset(&defaults, SIGINT)
        posix_spawnattr_setsigmask(&attributes, &none)
        posix_spawnattr_setsigdefault(&attributes, &defaults)
        posix_spawnattr_setpgroup(&attributes, 0)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))

        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, stdout, O_WRONLY | O_CREAT | O_APPEND, 0o600)
        posix_spawn_file_actions_addopen(&actions, 2, stderr, O_WRONLY | O_CREAT | O_APPEND, 0o600)
        // Nothing else of the test process: NIO accepts sockets without close-on-exec, and a child
        // holding a copy of an in-process agent's connection keeps it open after the agent closes it.
        // (glibc 2.34's posix_spawn_file_actions_addclosefrom_np, which Glibc's module map does not export.)
        if let symbol = dlsym(nil, "posix_spawn_file_actions_addclosefrom_np") {
            typealias AddCloseFrom = @convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, Int32) -> Int32
            _ = unsafeBitCast(symbol, to: AddCloseFrom.self)(&actions, 3)
        }
        if let directory {
            // glibc 2.29's posix_spawn_file_actions_addchdir_np, likewise not exported.
            guard let symbol = dlsym(nil, "posix_spawn_file_actions_addchdir_np") else {
                throw Failure(description: "cannot start \(executable) in \(directory): this libc has no posix_spawn_file_actions_addchdir_np")
            }
            typealias AddChdir = @convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, UnsafePointer<CChar>) -> Int32
            _ = unsafeBitCast(symbol, to: AddChdir.self)(&actions, directory)
        }

        let argv: [UnsafeMutablePointer<CChar>?] = ([executable] + arguments).map { strdup($0) } + [nil]
        defer { for argument in argv { free(argument) } }
        let variables = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        let envp: [UnsafeMutablePointer<CChar>?] = variables.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer { for variable in envp { free(variable) } }
        var pid = pid_t()
        // Registered under the lock, so that killAll() never misses a process being started.
        let result = lock.withLock {
            let result = posix_spawn(&pid, executable, &actions, &attributes, argv, envp)
            if result == 0 { alive.insert(pid) }
            return result
        }
        guard result == 0 else {
            throw Failure(description: "cannot start \(executable): \(String(cString: strerror(result)))")
        }
        return pid
    }

    /// How `pid` ended, once it has (it is then reaped); nil while it runs.
    package func poll(_ pid: pid_t) -> Termination? {
        lock.withLock {
            guard alive.contains(pid) else { return .signalled(SIGKILL) }
            var status: Int32 = 0
            guard waitpid(pid, &status, WNOHANG) == pid else { return nil }
            alive.remove(pid)
            return Termination(waitStatus: status)
        }
    }

    /// Sends `signal` to `pid`'s process group.
    package func signal(_ pid: pid_t, _ signal: Int32) {
        lock.withLock {
            guard alive.contains(pid) else { return }
            _ = kill(-pid, signal)
        }
    }

    /// Polls until `pid` ends. Past `limit`, or when the task is cancelled,
    /// it SIGKILLs and reaps the process and throws.
    package func wait(_ pid: pid_t, within limit: Duration, what: @autoclosure () -> String) async throws -> Termination {
        let deadline = ContinuousClock.now + limit
        do {
            while ContinuousClock.now < deadline {
                if let termination = poll(pid) { return termination }
                try await Task.sleep(for: .milliseconds(20))
            }
        } catch {
            reap(pid)
            throw error
        }
        reap(pid)
        throw Failure(description: "\(what()) still running after \(limit); killed")
    }

    /// SIGKILLs `pid`'s group and waits for the process.
    package func reap(_ pid: pid_t) {
        lock.withLock {
            guard alive.remove(pid) != nil else { return }
            _ = kill(-pid, SIGKILL)
            var status: Int32 = 0
            while waitpid(pid, &status, 0) == -1 && errno == EINTR {}
        }
    }

    /// SIGKILLs and reaps every process still alive.
    package func killAll() {
        for pid in lock.withLock({ alive }) { reap(pid) }
    }
}
