import Foundation

/// Finds the field behind a payload the decoder refused without saying where.
///
/// It exists because `JSONDecoder` reports a number that does not fit its property (`1.5` or
/// `2^63` for an `Int`, `1e400` for a `Double`) and a string with an unpaired `\u` surrogate
/// escape as "The given data was not valid JSON" with an empty coding path, while protocol.md
/// promises that every `validation_failed` names its field, in words meant for people.
///
/// The frame is valid JSON by then (``FrameScanner`` checked it), so the culprit is one of the
/// few tokens that a decoder can refuse after parsing: numbers with a fraction, an exponent or
/// many digits, and strings with surrogate escapes. Candidates are made harmless one at a
/// time, from the last; the one whose neutralizing ends the failure is a culprit. Offered a
/// value of the other kind (a string for a number, a number for a string), the decoder then
/// fails with a type mismatch at the culprit's exact path, naming both the field and the type
/// it wanted. At most ``maxCandidates`` are tried, so a hostile payload of thousands
/// of floats costs a bounded number of decodes.
enum UndecodableValue {
    /// How many suspicious tokens are tried before giving up on naming the field.
    static let maxCandidates = 32

    /// The field and message for a payload that `decode` refuses with a path-less error.
    /// - Returns: `nil` when no candidate explains the failure.
    static func locate(in data: Data, decode: (Data) throws -> Void) -> (field: String, message: String)? {
        // candidates are made harmless one by one ("0", "\"\""), from the end so earlier ranges
        // stay valid; the one whose neutralizing ends the path-less failure is a culprit
        let found = Array(candidates(in: data).prefix(maxCandidates))
        func harmless(_ candidate: Candidate) -> Data { Data((candidate.isString ? "\"\"" : "0").utf8) }
        var neutral = data
        for (position, candidate) in found.enumerated().reversed() {
            let before = neutral
            neutral.replaceSubrange(candidate.range, with: harmless(candidate))
            guard !failsWithoutPath(neutral, decode) else { continue }
            // the culprit: offer it the other kind of value (every other candidate harmless),
            // and the decoder names its path and the type it wanted
            var probe = before
            probe.replaceSubrange(candidate.range, with: Data((candidate.isString ? "0" : "\"\"").utf8))
            for earlier in found[..<position].reversed() { probe.replaceSubrange(earlier.range, with: harmless(earlier)) }
            do {
                try decode(probe)
            } catch DecodingError.typeMismatch(let expected, let context) where !context.codingPath.isEmpty {
                let field = PayloadDecoder.path(context.codingPath)
                if candidate.isString {
                    return (field, "\(field) must be text without an unpaired \\u surrogate escape (\\ud800–\\udfff)")
                }
                return (field, "\(field) must be \(PayloadDecoder.describe(expected)) within range")
            } catch {}
            return nil
        }
        return nil
    }

    private static func failsWithoutPath(_ data: Data, _ decode: (Data) throws -> Void) -> Bool {
        do {
            try decode(data)
            return false
        } catch DecodingError.dataCorrupted(let context) {
            return context.codingPath.isEmpty
        } catch {
            return false
        }
    }

    /// A token that a decoder may refuse after the JSON parsed.
    struct Candidate {
        var range: Range<Int>
        var isString: Bool
    }

    /// Numbers that are not short plain integers, and strings with surrogate escapes, in order.
    static func candidates(in data: Data) -> [Candidate] {
        var found: [Candidate] = []
        let bytes = [UInt8](data)
        var index = 0
        while index < bytes.count {
            let byte = bytes[index]
            if byte == UInt8(ascii: "\"") {
                let start = index
                var surrogate = false
                index += 1
                while index < bytes.count, bytes[index] != UInt8(ascii: "\"") {
                    if bytes[index] == UInt8(ascii: "\\") {
                        if index + 2 < bytes.count, bytes[index + 1] == UInt8(ascii: "u"), bytes[index + 2] | 0x20 == UInt8(ascii: "d") {
                            surrogate = true
                        }
                        index += 1
                    }
                    index += 1
                }
                index += 1
                if surrogate { found.append(Candidate(range: start..<min(index, bytes.count), isString: true)) }
            } else if byte == UInt8(ascii: "-") || (0x30...0x39).contains(byte) {
                let start = index
                var plain = true
                while index < bytes.count, let next = Optional(bytes[index]),
                      next == UInt8(ascii: "-") || next == UInt8(ascii: "+") || next == UInt8(ascii: ".")
                        || next | 0x20 == UInt8(ascii: "e") || (0x30...0x39).contains(next) {
                    if !(0x30...0x39).contains(next) && !(next == UInt8(ascii: "-") && index == start) { plain = false }
                    index += 1
                }
                // up to 18 digits always fit an Int64; anything else may not fit what was asked for
                if !plain || index - start > 18 { found.append(Candidate(range: start..<index, isString: false)) }
            } else {
                index += 1
            }
        }
        return found
    }
}
