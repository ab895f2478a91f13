import Foundation
import HubKernel

/// The envelope of a client frame (``Envelope/parse(_:decoder:)``, the single-pass scanner
/// under it), checked against Foundation's JSON parser.
///
/// Inputs are valid UTF-8 only: the WebSocket layer closes a text frame that is not (1007)
/// before the envelope sees it. Properties:
/// - what the scanner accepts, Foundation reads as an object with the same `type` and with
///   `data` an object (or absent/null) — except in the two places Foundation is knowingly
///   stricter than RFC 8259: numbers beyond `Double` and lone UTF-16 surrogate escapes, which
///   the payload decoder then rejects as `validation_failed`/`bad_request`;
/// - an object Foundation reads, nested within the scanner's depth and written out again by
///   Foundation, is never refused as "not JSON" by the scanner (Foundation's reader itself
///   is lenient: it takes a trailing comma).
struct FrameTarget: FuzzTarget {
    private let decoder = JSONDecoder()

    init() async throws {}

    func run(_ input: Data) async {
        guard String(data: input, encoding: .utf8) != nil else { return }
        let envelope = Envelope.parse(input, decoder: decoder)
        let object: Any
        do {
            object = try JSONSerialization.jsonObject(with: input, options: [.fragmentsAllowed])
        } catch {
            let reason = "\(error)"
            // a number beyond Double, or an escape that is half a UTF-16 surrogate pair
            let knowinglyStricter = reason.contains("not representable") || reason.contains("surrogate")
                || reason.contains("hex escape sequence")
            if envelope.error == nil, !knowinglyStricter {
                FuzzFinding.report("the envelope accepted a frame that is not JSON (\(reason))", input: input)
            }
            return
        }
        guard let members = object as? [String: Any] else {
            if envelope.error == nil { FuzzFinding.report("the envelope accepted a JSON value that is not an object", input: input) }
            return
        }
        if envelope.error != nil {
            // Foundation is lenient where RFC 8259 is not (a trailing comma): check the scanner
            // against Foundation's own, canonical, spelling of the object instead
            if Self.depth(of: object) <= Envelope.maxNesting,
               let canonical = try? JSONSerialization.data(withJSONObject: object, options: [.fragmentsAllowed]),
               Envelope.parse(canonical, decoder: decoder).error?.message == "a frame must be one JSON object" {
                FuzzFinding.report("the scanner refused Foundation's spelling of a JSON object as not JSON", input: input)
            }
            return
        }
        guard members["type"] as? String == envelope.type else {
            FuzzFinding.report("the envelope's type \(String(reflecting: envelope.type)) is not the frame's", input: input)
        }
        let data = members["data"]
        let dataIsAbsent = data == nil || data is NSNull
        if dataIsAbsent != (envelope.dataRange == nil) || (!dataIsAbsent && !(data is [String: Any])) {
            FuzzFinding.report("the envelope's data range disagrees with the frame's data member", input: input)
        }
    }

    /// How deeply `value` nests arrays and objects (a scalar is 0).
    private static func depth(of value: Any) -> Int {
        if let object = value as? [String: Any] { return 1 + (object.values.map(depth(of:)).max() ?? 0) }
        if let array = value as? [Any] { return 1 + (array.map(depth(of:)).max() ?? 0) }
        return 0
    }
}

