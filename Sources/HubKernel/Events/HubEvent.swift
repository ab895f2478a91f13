/// An event a module publishes: the type names the event, its stored properties are the
/// payload the clients receive as `data`.
///
/// ```swift
/// struct MessageEdited: HubEvent {
///     typealias Module = ChatModule
///     static let name = "edited"          // on the wire: chat.edited
///     var message: MessageView
/// }
/// try await events.publish(MessageEdited(message: edited), on: ChatTopics.room(edited.room))
/// ```
/// The wire name is `<Module.name>.<name>`: the prefix comes from the module's type, so a
/// module cannot publish under another's name, and ``EventPublisher`` only accepts events
/// whose `Module` is its own (a mismatch is a compile error).
public protocol HubEvent: Encodable, Sendable {
    /// The module that owns this event.
    associatedtype Module: HubModule
    /// The part of the wire name after `<module>.` (lowercase, digits, `_`).
    static var name: String { get }
    /// Whether the event is numbered and kept for `since` recovery. Ephemeral events (a
    /// typing indicator) say `false`: no `seq`, no history. Default: `true`.
    static var isSequenced: Bool { get }
}

extension HubEvent {
    public static var isSequenced: Bool { true }
    /// The wire name, `<module>.<name>`.
    public static var type: EventType { EventType(module: Module.name, name: name) }
}
