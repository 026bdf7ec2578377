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

        let exited = OneShotSignal()
        process.terminationHandler = { _ in exited.fire() }
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
        let outputRead = OneShotSignal()
        let reader = Thread {
            let data = output.fileHandleForReading.readDataToEndOfFile()
            captured.withLockedValue { $0 = data }
            outputRead.fire()
        }
        reader.start()

        let timedOut = NIOLockedValueBox(false)
        let watchdog = Task {
            try await Task.sleep(for: .milliseconds(Int64(timeoutSeconds * 1000)))
            timedOut.withLockedValue { $0 = true }
            kill(pid, SIGKILL)
        }
        await exited.wait()
        watchdog.cancel()
        // Children of the shell may keep the pipe open: wait for the output
        // at most 2 s, and without blocking a cooperative thread (a blocked
        // thread stalls every other task, other commands' watchdogs included).
        let giveUp = Task {
            try await Task.sleep(for: .seconds(2))
            outputRead.fire()
        }
        await outputRead.wait()
        giveUp.cancel()

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

/// A signal that fires once and can be awaited by one task, whichever comes
/// first; firing again, or waiting after it fired, returns at once.
private final class OneShotSignal: Sendable {
    private let state = NIOLockedValueBox<(fired: Bool, waiter: CheckedContinuation<Void, Never>?)>((false, nil))

    func fire() {
        let waiter = state.withLockedValue { state -> CheckedContinuation<Void, Never>? in
            guard !state.fired else { return nil }
            state.fired = true
            defer { state.waiter = nil }
            return state.waiter
        }
        waiter?.resume()
    }

    func wait() async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let firedAlready = state.withLockedValue { state -> Bool in
                if state.fired { return true }
                state.waiter = continuation
                return false
            }
            if firedAlready { continuation.resume() }
        }
    }
}
