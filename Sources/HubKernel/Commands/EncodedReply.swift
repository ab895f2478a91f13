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
/// let payload = try await events.publish(MessageSent(message: message), on: room, in: transaction)
/// return EncodedReply(Reply(message: message), json: payload)   // Reply has MessageSent's fields
/// ```
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
