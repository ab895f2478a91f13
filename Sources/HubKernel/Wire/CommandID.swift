/// The client-chosen id of a command, echoed as `re` in its reply.
///
/// protocol.md allows an integer in 0…2^53−1 or a string of 1–64 characters; `null`
/// means no id. Anything else makes the frame a `bad_request`.
public enum CommandID: Sendable, Hashable, Codable, CustomStringConvertible {
    case int(Int64)
    case string(String)

    /// The largest integer id: JavaScript's `Number.MAX_SAFE_INTEGER`.
    public static let maxInteger: Int64 = (1 << 53) - 1

    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if let int = try? container.decode(Int64.self) {
            guard (0...Self.maxInteger).contains(int) else {
                throw HubError.badRequest("id must be an integer in 0…2^53−1 or a string of 1–64 characters")
            }
            self = .int(int)
        } else if let string = try? container.decode(String.self) {
            guard (1...64).contains(string.count) else {
                throw HubError.badRequest("id must be an integer in 0…2^53−1 or a string of 1–64 characters")
            }
            self = .string(string)
        } else {
            throw HubError.badRequest("id must be an integer in 0…2^53−1 or a string of 1–64 characters")
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        switch self {
        case .int(let value): try container.encode(value)
        case .string(let value): try container.encode(value)
        }
    }

    public var description: String {
        switch self {
        case .int(let value): String(value)
        case .string(let value): value
        }
    }
}
