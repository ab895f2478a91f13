public import Foundation

/// The parts of a client frame the kernel needs before it knows the handler:
/// the optional `id`, the `type`, and whether `data` is an object.
///
/// Parsing never throws: a frame that breaks the envelope rules yields ``error`` (always
/// `bad_request`), and ``id`` is kept when it was valid so the reply can still carry it.
public struct Envelope: Sendable {
    /// The client's id, echoed as `re`; `nil` for fire-and-forget commands.
    public var id: CommandID?
    /// The command type, `<module>.<action>`.
    public var type: String
    /// Why the frame cannot be dispatched, if it cannot.
    public var error: HubError?

    /// Parses the envelope of one text frame.
    public static func parse(_ bytes: Data, decoder: JSONDecoder) -> Envelope {
        do {
            let header = try decoder.decode(Header.self, from: bytes)
            return Envelope(id: header.id, type: header.type ?? "", error: header.problem)
        } catch let error as HubError {
            return Envelope(id: nil, type: "", error: error)
        } catch DecodingError.typeMismatch(_, let context) where context.codingPath.isEmpty {
            return Envelope(id: nil, type: "", error: .badRequest("a frame must be a JSON object"))
        } catch {
            return Envelope(id: nil, type: "", error: .badRequest("a frame must be one JSON object"))
        }
    }

    private struct Header: Decodable {
        var id: CommandID?
        var type: String?
        var problem: HubError?

        enum Keys: String, CodingKey { case id, type, data }
        struct AnyKey: CodingKey {
            var stringValue: String
            var intValue: Int? { nil }
            init(stringValue: String) { self.stringValue = stringValue }
            init?(intValue: Int) { nil }
        }

        init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: Keys.self)
            // An invalid id is reported without `re`: the client cannot match a reply to it.
            if container.contains(.id), try !container.decodeNil(forKey: .id) {
                id = try container.decode(CommandID.self, forKey: .id)
            }
            guard container.contains(.type), try !container.decodeNil(forKey: .type) else {
                problem = .badRequest("type is required")
                return
            }
            guard let type = try? container.decode(String.self, forKey: .type) else {
                problem = .badRequest("type must be a string")
                return
            }
            self.type = type
            if container.contains(.data), try !container.decodeNil(forKey: .data) {
                if (try? container.nestedContainer(keyedBy: AnyKey.self, forKey: .data)) == nil {
                    problem = .badRequest("data must be a JSON object")
                }
            }
        }
    }
}

/// Decodes a command's `data` into its handler's payload type, with precise field errors.
enum PayloadDecoder {
    private struct Box<Payload: Decodable>: Decodable {
        var data: Payload?
    }

    private static let emptyObject = Data("{}".utf8)

    /// Decodes `data` (a missing or null `data` is `{}`); a type error names the field.
    static func decode<Payload: Decodable>(_ type: Payload.Type, from frame: Data, decoder: JSONDecoder) throws -> Payload {
        do {
            if let payload = try decoder.decode(Box<Payload>.self, from: frame).data {
                return payload
            }
            return try decoder.decode(Payload.self, from: emptyObject)
        } catch let error as DecodingError {
            throw validationFailure(for: error)
        }
    }

    static func validationFailure(for error: DecodingError) -> HubError {
        func path(_ codingPath: [any CodingKey], dropping prefix: Int = 0) -> String {
            let keys = codingPath.map { key in key.intValue.map { "[\($0)]" } ?? key.stringValue }
            let trimmed = keys.first == "data" ? Array(keys.dropFirst()) : keys
            return trimmed.reduce("") { result, key in
                key.hasPrefix("[") ? result + key : (result.isEmpty ? key : result + "." + key)
            }
        }
        switch error {
        case .keyNotFound(let key, let context):
            let field = path(context.codingPath + [key])
            return .validation(field, "\(field) is required")
        case .valueNotFound(_, let context):
            let field = path(context.codingPath)
            return .validation(field, "\(field) must not be null")
        case .typeMismatch(let expected, let context):
            let field = path(context.codingPath)
            return .validation(field, "\(field.isEmpty ? "data" : field) must be \(describe(expected))")
        case .dataCorrupted(let context):
            let field = path(context.codingPath)
            // the parser may not know the field (an invalid \u escape); say what it knows
            guard !field.isEmpty else {
                return HubError(.validationFailed, "data is invalid: \(context.debugDescription)", field: nil)
            }
            return .validation(field, "\(field) is invalid")
        @unknown default:
            return .validation("", "data is invalid")
        }
    }

    private static func describe(_ type: Any.Type) -> String {
        switch type {
        case is String.Type: "a string"
        case is Bool.Type: "a boolean"
        case is Int.Type, is Int64.Type, is Int32.Type, is UInt.Type, is UInt64.Type: "an integer"
        case is Double.Type, is Float.Type: "a number"
        case is [Any].Type: "an array"
        default:
            String(describing: type).hasPrefix("Array") ? "an array" : "an object"
        }
    }
}
