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
    /// Where the `data` object is in the frame (`nil`: absent or null, meaning `{}`).
    public var dataRange: Range<Int>?

    /// How deeply a frame may nest arrays and objects; deeper is `bad_request`.
    public static let maxNesting = FrameScanner.maxDepth

    /// Parses the envelope of one text frame in a single pass over it.
    public static func parse(_ bytes: Data, decoder: JSONDecoder) -> Envelope {
        func failure(_ message: String, id: CommandID? = nil) -> Envelope {
            Envelope(id: id, type: "", error: .badRequest(message), dataRange: nil)
        }
        let members: FrameScanner.Members
        do {
            members = try FrameScanner.scan(bytes)
        } catch {
            switch error {
            case .notObject: return failure("a frame must be a JSON object")
            case .tooDeep: return failure("a frame may nest at most \(FrameScanner.maxDepth) levels")
            case .notJSON: return failure("a frame must be one JSON object")
            }
        }
        func isNull(_ range: Range<Int>) -> Bool { range.count == 4 && bytes[range.lowerBound] == UInt8(ascii: "n") }
        // an invalid id is reported without `re`: the client cannot match a reply to it
        var id: CommandID?
        if let range = members.id, !isNull(range) {
            guard let parsed = Self.id(bytes, range, decoder: decoder) else {
                return failure("id must be an integer in 0…2^53−1 or a string of 1–64 characters")
            }
            id = parsed
        }
        guard let typeRange = members.type, !isNull(typeRange) else { return failure("type is required", id: id) }
        guard let type = Self.string(bytes, typeRange, decoder: decoder) else { return failure("type must be a string", id: id) }
        var dataRange: Range<Int>?
        if let range = members.data, !isNull(range) {
            guard bytes[range.lowerBound] == UInt8(ascii: "{") else { return failure("data must be a JSON object", id: id) }
            dataRange = range
        }
        return Envelope(id: id, type: type, error: nil, dataRange: dataRange)
    }

    /// A JSON string value: copied directly when it has no escapes.
    private static func string(_ bytes: Data, _ range: Range<Int>, decoder: JSONDecoder) -> String? {
        guard bytes[range.lowerBound] == UInt8(ascii: "\"") else { return nil }
        let inner = range.lowerBound + 1..<range.upperBound - 1
        if !bytes[inner].contains(UInt8(ascii: "\\")) { return String(decoding: bytes[inner], as: UTF8.self) }
        return try? decoder.decode(String.self, from: bytes.subdata(in: range))
    }

    private static func id(_ bytes: Data, _ range: Range<Int>, decoder: JSONDecoder) -> CommandID? {
        let first = bytes[range.lowerBound]
        if first == UInt8(ascii: "\"") {
            guard let text = string(bytes, range, decoder: decoder), (1...64).contains(text.count) else { return nil }
            return .string(text)
        }
        // integers only: no sign, fraction or exponent
        guard range.count <= 16, bytes[range].allSatisfy({ (0x30...0x39).contains($0) }),
              let value = Int64(String(decoding: bytes[range], as: UTF8.self)), value <= CommandID.maxInteger
        else { return nil }
        return .int(value)
    }
}

/// Decodes a command's `data` into its handler's payload type, with precise field errors.
enum PayloadDecoder {
    private static let emptyObject = Data("{}".utf8)

    /// Decodes the bytes of `data` (`nil`, for a missing or null `data`, is `{}`); a type error names the field.
    static func decode<Payload: Decodable>(_ type: Payload.Type, data: Data?, decoder: JSONDecoder) throws -> Payload {
        let data = data ?? emptyObject
        do {
            return try decoder.decode(Payload.self, from: data)
        } catch DecodingError.dataCorrupted(let context) where context.codingPath.isEmpty {
            // a value that parsed but does not fit (1.5 for an integer, an unpaired surrogate):
            // the decoder does not say where, so find the field (a rare, bounded path)
            if let located = UndecodableValue.locate(in: data, decode: { _ = try decoder.decode(Payload.self, from: $0) }) {
                throw HubError.validation(located.field, located.message)
            }
            throw HubError.validation("data", "data has a value that does not fit its field (a number out of range, or text with an unpaired surrogate)")
        } catch let error as DecodingError {
            throw validationFailure(for: error)
        }
    }

    /// A coding path as the protocol names fields: `items[2].id`, without a leading `data`.
    static func path(_ codingPath: [any CodingKey]) -> String {
        let keys = codingPath.map { key in key.intValue.map { "[\($0)]" } ?? key.stringValue }
        let trimmed = keys.first == "data" ? Array(keys.dropFirst()) : keys
        return trimmed.reduce("") { result, key in
            key.hasPrefix("[") ? result + key : (result.isEmpty ? key : result + "." + key)
        }
    }

    static func validationFailure(for error: DecodingError) -> HubError {
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
            return field.isEmpty ? .validation("data", "data is invalid") : .validation(field, "\(field) is invalid")
        @unknown default:
            return .validation("", "data is invalid")
        }
    }

    /// How a message names the type a field wants ("an integer", "a string").
    static func describe(_ type: Any.Type) -> String {
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
