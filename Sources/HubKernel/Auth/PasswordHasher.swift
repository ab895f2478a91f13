import HummingbirdBcrypt
import NIOPosix

/// Hashes and checks passwords with bcrypt, off the event loops.
///
/// bcrypt is slow on purpose; it runs on NIO's blocking thread pool so a login never stalls
/// other connections.
public struct PasswordHasher: Sendable {
    /// bcrypt's work factor (4…31); 10 in production, lower in tests.
    public let cost: UInt8

    public init(cost: UInt8 = 10) {
        self.cost = min(max(cost, 4), 31)
    }

    public func hash(_ password: String) async throws -> String {
        let cost = self.cost
        return try await NIOThreadPool.singleton.runIfActive { Bcrypt.hash(password, cost: cost) }
    }

    public func verify(_ password: String, hash: String) async throws -> Bool {
        try await NIOThreadPool.singleton.runIfActive { Bcrypt.verify(password, hash: hash) }
    }
}
