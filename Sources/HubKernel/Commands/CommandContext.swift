public import Foundation
public import Logging

/// Everything a handler may use while running one command.
///
/// The identity is the caller's as of this command; the logger carries `sb.connection.id`,
/// `sb.command.type` and `sb.user.id`.
public struct CommandContext: Sendable {
    /// Who sent the command.
    public let identity: Identity
    /// The connection it came on.
    public let connectionID: String
    /// The command's type.
    public let commandType: CommandType
    /// The hub's database.
    public let database: Database
    /// The hub's clock.
    public let clock: any HubClock
    /// A logger with the request's metadata (`sb.connection.id`, `sb.command.type`, `sb.user.id`),
    /// built when a handler asks for it rather than for every command.
    public var logger: Logger {
        var logger = baseLogger
        logger[metadataKey: "sb.connection.id"] = .string(connectionID)
        logger[metadataKey: "sb.command.type"] = .string(commandType.rawValue)
        logger[metadataKey: "sb.user.id"] = .string(identity.userID)
        return logger
    }
    let baseLogger: Logger
    /// Capabilities offered by loaded modules.
    public let capabilities: CapabilityRegistry

    let connection: Connection
    let hub: Hub
    let commandID: CommandID?

    /// The client's address.
    public var remoteAddress: String { connection.remoteAddress }

    /// Subscribes this connection to `topic` on the server's initiative (e.g. `chat.join`).
    /// Authorization is the caller's job here. - Returns: the topic's current `seq`.
    @discardableResult
    public func subscribe(to topic: Topic) async -> Int64 {
        await hub.subscribe(connection, to: topic.name)
    }

    /// Subscribes this connection to one of a module's topics (``ModuleTopic``).
    @discardableResult
    public func subscribe<Module: HubModule>(to topic: ModuleTopic<Module>) async -> Int64 { await subscribe(to: topic.topic) }

    /// Removes this connection from one of a module's topics.
    public func unsubscribe<Module: HubModule>(from topic: ModuleTopic<Module>) { unsubscribe(from: topic.topic) }

    /// Removes this connection from `topic`.
    public func unsubscribe(from topic: Topic) {
        hub.unsubscribe(connection, from: topic.name)
    }

}
