import Foundation
import Whisper

/// Resolves the consortium's shared Whisper key from its reference.
///
/// `file:PATH` reads a file, `env:NAME` an environment variable. The value
/// is either 64 hex digits (the raw 32-byte key) or a password, which is
/// stretched with Whisper's PBKDF2 (as geth's `shh_generateSymKeyFromPassword`),
/// so agents and geth nodes sharing the password share the key.
public enum ConsortiumKey {
    /// The key for `reference`.
    ///
    /// - Throws: ``AgentError/consortiumKey(reference:message:)``; the message never holds the key.
    public static func resolve(_ reference: String) throws(AgentError) -> SymmetricKey {
        let value: String
        if reference.hasPrefix("file:") {
            let path = String(reference.dropFirst(5))
            try SecretFile.checkPrivate(path, what: "consortium key")
            guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
                throw .consortiumKey(reference: reference, message: "cannot read \(path)")
            }
            value = text
        } else if reference.hasPrefix("env:") {
            let name = String(reference.dropFirst(4))
            guard let text = ProcessInfo.processInfo.environment[name] else {
                throw .consortiumKey(reference: reference, message: "environment variable \(name) is not set")
            }
            value = text
        } else {
            throw .consortiumKey(reference: reference, message: "expected file:PATH or env:NAME")
        }
        let trimmed = value.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !trimmed.isEmpty, trimmed.utf8.count <= 4096 else {
            throw .consortiumKey(reference: reference, message: "empty or longer than 4096 bytes")
        }
        let hex = trimmed.hasPrefix("0x") ? String(trimmed.dropFirst(2)) : trimmed
        if hex.count == 64, let bytes = try? Hex.decode(hex), let key = try? SymmetricKey(rawRepresentation: bytes) {
            return key
        }
        return SymmetricKey(password: trimmed)
    }
}

import HeraldCrypto
