public import Foundation

/// Publishes one module's events: the only way a module reaches subscribers.
///
/// Bound to its module at the type level: it takes only events whose ``HubEvent/Module`` is
/// `Module` and topics built as ``ModuleTopic``<`Module`>, plus the kernel's `user:<id>`
/// topic. Get it once in `init(setup:)` with ``ModuleSetup/events(for:)`` and hand it to the
/// handlers and services that publish.
///
/// Three ways to publish:
/// - ``publish(_:on:)`` after the state is committed (a crash must never announce what was not
///   saved): delivered now.
/// - ``publish(_:on:in:)`` inside a ``Transaction``: delivered once it commits, never if it
///   rolls back. On one node this costs nothing extra; in cluster mode the event's `seq` and
///   history are written in that same transaction, just before its commit.
/// - ``inStatement(_:on:)`` for a command whose whole write is one PostgreSQL statement: that
///   statement numbers and keeps the event too, and runs without a transaction around it.
///
/// Each throws `internal` (with an incident id in the log) when the event cannot be
/// encoded, instead of dropping it. An event published while its module is switched off is
/// dropped on purpose (the module's topics go quiet) and returns `nil`.
public struct EventPublisher<Module: HubModule>: Sendable {
    let base: HubPublisher

    init(base: HubPublisher) { self.base = base }

    /// Publishes `event` on one of this module's topics, now.
    /// - Returns: the event's `seq`, or `nil` for ephemeral events and while switched off.
    @discardableResult
    public func publish<Event: HubEvent>(_ event: Event, on topic: ModuleTopic<Module>) async throws -> Int64? where Event.Module == Module {
        try await base.publishChecked(Event.type.rawValue, event, on: topic.topic, sequenced: Event.isSequenced)
    }

    /// Publishes `event` on `user:<userID>`: every connection of that user receives it.
    @discardableResult
    public func publish<Event: HubEvent>(_ event: Event, toUser userID: String) async throws -> Int64? where Event.Module == Module {
        try await base.publishChecked(Event.type.rawValue, event, on: Topic(unchecked: "user:\(userID)"), sequenced: Event.isSequenced)
    }

    /// Publishes `event` on one of this module's topics once `transaction` commits.
    /// - Returns: the event's payload as encoded, for a reply with the event's fields
    ///   (``EncodedReply``).
    @discardableResult
    public func publish<Event: HubEvent>(_ event: Event, on topic: ModuleTopic<Module>, in transaction: Transaction) async throws -> Data
        where Event.Module == Module {
        try deferred(event, on: topic.topic, in: transaction)
    }

    /// Publishes `event` on `user:<userID>` once `transaction` commits.
    /// - Returns: the event's payload as encoded (``EncodedReply``).
    @discardableResult
    public func publish<Event: HubEvent>(_ event: Event, toUser userID: String, in transaction: Transaction) async throws -> Data
        where Event.Module == Module {
        try deferred(event, on: Topic(unchecked: "user:\(userID)"), in: transaction)
    }

    /// Prepares `event` for publication by the statement that stores what it announces (one
    /// PostgreSQL round trip for a command whose write is one statement; ``StatementEvent``).
    /// - Throws: `internal` (logged) when it cannot be encoded or holds
    ///   ``StatementEvent/placeholder`` more than once.
    public func inStatement<Event: HubEvent>(_ event: Event, on topic: ModuleTopic<Module>) throws -> StatementEvent where Event.Module == Module {
        precondition(Event.isSequenced, "an ephemeral event has nothing to number: publish it with publish(_:on:)")
        let payload = try base.encode(Event.type.rawValue, event, on: topic.topic)
        return try base.inStatement(encoded: payload, Event.type.rawValue, on: topic.topic)
    }

    private func deferred<Event: HubEvent>(_ event: Event, on topic: Topic, in transaction: Transaction) throws -> Data {
        // encoded now: a bad event fails the transaction instead of vanishing after its commit
        let payload = try base.encode(Event.type.rawValue, event, on: topic)
        base.publish(encoded: payload, Event.type.rawValue, on: topic, sequenced: Event.isSequenced, in: transaction)
        return payload
    }
}
