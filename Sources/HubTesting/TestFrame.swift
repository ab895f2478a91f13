public import HubKernel

/// One frame a test client received: a reply (`re`/`ok`) or an event (`type`/`topic`/`seq`).
public struct TestFrame: Sendable, CustomStringConvertible {
    /// The parsed frame.
    public let json: JSON
    /// The frame as received.
    public let text: String

    /// A frame as received, parsed once.
    public init(text: String) {
        self.text = text
        self.json = JSON.parse(text) ?? .null
    }

    /// Whether this is a reply (it has `re`).
    public var isReply: Bool { json.has("re") }
    /// The id this reply answers.
    public var re: JSON { json["re"] }
    /// Whether the reply succeeded.
    public var ok: Bool { json["ok"].bool ?? false }
    /// `data` of a reply or an event.
    public var data: JSON { json["data"] }
    /// The event type.
    public var type: String? { json["type"].string }
    /// The event's topic.
    public var topic: String? { json["topic"].string }
    /// The event's sequence number.
    public var seq: Int64? { json["seq"].int }
    /// The error of a failed reply.
    public var error: TestError? {
        guard !ok, json.has("error") else { return nil }
        let error = json["error"]
        return TestError(code: error["code"].string.flatMap(ErrorCode.init(rawValue:)), rawCode: error["code"].string ?? "",
                         message: error["message"].string ?? "", field: error["field"].string,
                         retryAfterMs: error["retryAfterMs"].int)
    }
    public var description: String { text }
}

/// The `error` object of a failed reply.
public struct TestError: Sendable, Equatable {
    /// The code, when it is one of the protocol's.
    public var code: ErrorCode?
    /// The code as sent (for codes this test kit does not know).
    public var rawCode: String
    /// The human-readable message.
    public var message: String
    /// The offending field of a `validation_failed`.
    public var field: String?
    /// When a `rate_limited` command may be retried.
    public var retryAfterMs: Int64?
}

/// A wait in a test ran out; the description lists what did arrive.
public struct TestTimeout: Error, CustomStringConvertible {
    /// What the test waited for.
    public var waitingFor: String
    /// The frames that arrived meanwhile and were not claimed.
    public var received: [String]
    public var description: String {
        "timed out waiting for \(waitingFor); unclaimed frames: \(received.isEmpty ? "none" : received.joined(separator: "\n  "))"
    }
}
