import Crypto
import Foundation
import HummingbirdBcrypt
import NIOPosix

/// Hashes and checks passwords with bcrypt, off the event loops.
///
/// bcrypt is slow on purpose; it runs on NIO's blocking thread pool so a login never stalls
/// other connections.
///
/// bcrypt itself reads a password as a C string of at most 72 bytes: a NUL ends it, and
/// bytes past the 72nd are ignored, so `"\u{0}secret"` would match the empty password and a
/// long passphrase its first 72 bytes. Every byte therefore goes through HMAC-SHA256 first,
/// and bcrypt hashes the 44-character Base64 of that digest. Such hashes are stored as
/// `sb2$<bcrypt hash>`; a hash without the prefix is from before (plain bcrypt), still
/// verifies — refusing a password with a NUL, which plain bcrypt would have cut — and is
/// replaced at the next successful login (``needsUpgrade(_:)``).
public struct PasswordHasher: Sendable {
    /// bcrypt's work factor (4…31); 10 in production, lower in tests.
    public let cost: UInt8

    /// The prefix of a pre-hashed (current) password hash.
    static let currentPrefix = "sb2$"
    /// The HMAC key of the pre-hash: a fixed domain separator, not a secret (bcrypt's salt
    /// and cost do the protecting; the pre-hash only makes every byte count).
    private static let prehashKey = SymmetricKey(data: Data("switchboard.password.v2".utf8))

    /// A hasher at bcrypt work factor `cost` (`AUTH_BCRYPT_COST`; tests use 4).
    public init(cost: UInt8 = 10) {
        self.cost = min(max(cost, 4), 31)
    }

    /// A current (`sb2$`) hash of `password`: every byte counts, NULs included.
    public func hash(_ password: String) async throws -> String {
        let cost = self.cost
        let prehashed = Self.prehash(password)
        return try await NIOThreadPool.singleton.runIfActive { Self.currentPrefix + Bcrypt.hash(prehashed, cost: cost) }
    }

    /// Whether `password` matches `hash` (current or from before the pre-hash).
    public func verify(_ password: String, hash: String) async throws -> Bool {
        if hash.hasPrefix(Self.currentPrefix) {
            let prehashed = Self.prehash(password)
            let bcrypt = String(hash.dropFirst(Self.currentPrefix.count))
            return try await NIOThreadPool.singleton.runIfActive { Bcrypt.verify(prehashed, hash: bcrypt) }
        }
        // plain bcrypt would stop at a NUL and match a shorter password: never let it
        guard !password.utf8.contains(0) else { return false }
        return try await NIOThreadPool.singleton.runIfActive { Bcrypt.verify(password, hash: hash) }
    }

    /// Whether `hash` predates the pre-hash and should be replaced once the password is known.
    public func needsUpgrade(_ hash: String) -> Bool { !hash.hasPrefix(Self.currentPrefix) }

    /// Base64 of HMAC-SHA256 over the password's UTF-8 bytes: 44 ASCII characters, no NUL.
    static func prehash(_ password: String) -> String {
        Data(HMAC<SHA256>.authenticationCode(for: Data(password.utf8), using: prehashKey)).base64EncodedString()
    }
}
