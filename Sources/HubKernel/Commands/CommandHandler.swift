/// One client command: its wire type, who may send it, how often, what it takes and returns.
///
/// The statics are read once at start-up into the immutable route table (and printed by
/// `switchboard routes`). The kernel runs, in order: feature flag → role → rate limit →
/// decode → ``Validatable/validate()`` → ``handle(_:context:)`` → encode the reply.
/// ```swift
/// struct Vote: CommandHandler {
///     static let type: CommandType = "poll.vote"
///     static let role: Role = .user
///     static let rateLimit = RateLimit(10, per: .seconds(1), scope: .user)
///     struct Payload: Decodable, Sendable { var pollID: String; var option: Int }
///     func handle(_ payload: Payload, context: CommandContext) async throws -> PollView { … }
/// }
/// ```
public protocol CommandHandler: Sendable {
    /// What the command carries in `data`.
    associatedtype Payload: Decodable & Sendable
    /// What the reply carries in `data`.
    associatedtype Reply: Encodable & Sendable

    /// The wire type, `<module>.<action>`.
    static var type: CommandType { get }
    /// The least role that may send it (see ``Role/satisfies(_:)``).
    static var role: Role { get }
    /// The default rate limit; configuration may override it.
    static var rateLimit: RateLimit { get }

    /// Runs the command. State that must survive is committed before this returns.
    func handle(_ payload: Payload, context: CommandContext) async throws -> Reply
}
