public import Foundation

/// A handler's reply together with its JSON when the handler already has it — typically the
/// payload of the event it just published, when the reply has the event's shape
/// (`chat.send` answers `{message}` and announces `chat.message {message}`): the kernel then
/// sends those bytes instead of encoding the same value a second time (issue #16: at
/// saturation the second encoding of a message was 3.4 % of the hub's CPU).
///
/// The reply stays typed: ``value`` is what the handler answers, and encoding an
/// `EncodedReply` encodes ``value``, so a test or caller that encodes it gets the same JSON.
/// ```swift
/// struct MessageReply: Encodable, Sendable { var message: MessageView }   // MessageSent's fields
/// func handle(_ payload: Payload, context: CommandContext) async throws -> EncodedReply<MessageReply> {
///     …
///     let json = try await events.publish(MessageSent(message: message), on: room, in: transaction)
///     return EncodedReply(MessageReply(message: message), json: json)
/// }
/// ```
/// (Name the wrapped type something other than `Reply`: that is the handler's associated type,
/// which is now `EncodedReply<MessageReply>`.)
public struct EncodedReply<Value: Encodable & Sendable>: Encodable, Sendable {
    /// What the handler answers.
    public let value: Value
    /// `value` encoded as the kernel would encode it, or `nil` to have the kernel encode it.
    public let json: Data?

    /// A reply the kernel encodes itself (a path that published nothing to reuse).
    public init(_ value: Value) {
        self.value = value
        self.json = nil
    }

    /// A reply whose JSON is `json`, which must be `value` encoded with a plain `JSONEncoder`
    /// (an event's payload from ``EventPublisher/publish(_:on:in:)`` or
    /// ``StatementEvent/payload(number:)`` when the event has the reply's fields).
    public init(_ value: Value, json: Data) {
        self.value = value
        self.json = json
    }

    /// Encodes ``value``, exactly as if the handler had returned it.
    public func encode(to encoder: any Encoder) throws {
        try value.encode(to: encoder)
    }
}

/// What the route table reads from an ``EncodedReply`` without knowing its `Value`.
protocol PreEncodedReply {
    /// The reply's JSON, if the handler supplied it.
    var json: Data? { get }
}

extension EncodedReply: PreEncodedReply {}
