/// A topic owned by `Module`: `<module>:<local name>`.
///
/// Modules build theirs in one place (`ChatTopics.room("general")` is `chat:general`), and an
/// ``EventPublisher`` accepts only its own module's topics, so a topic cannot carry another
/// module's prefix. The kernel's `user:<id>` topic is reached with
/// ``EventPublisher/publish(_:toUser:)`` instead.
public struct ModuleTopic<Module: HubModule>: Sendable, Hashable, CustomStringConvertible {
    /// The topic as the hub knows it.
    public let topic: Topic

    /// `<Module.name>:<localName>`; the caller guarantees `localName` is non-empty and
    /// free of control characters (module names, ids and validated room names are).
    public init(_ localName: String) {
        topic = Topic(unchecked: "\(Module.name.rawValue):\(localName)")
    }

    /// The part after the module prefix.
    public var localName: String { topic.localName }
    public var description: String { topic.name }
}
