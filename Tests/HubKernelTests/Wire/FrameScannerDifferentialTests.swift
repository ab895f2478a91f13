import Foundation
import NIOCore
import Testing
@testable import HubKernel

/// The hand-written frame scanner and JSON string writer against an independent parser
/// (Foundation's `JSONSerialization`) on generated inputs: valid documents with escapes,
/// unicode, numbers and nesting, and mutations of them that are mostly invalid. Both must
/// reach the same verdict, and where a frame is valid, read the same `id`, `type` and `data`.
///
/// Foundation's parser is lenient in one way RFC 8259 is not: it accepts a trailing comma
/// (`{"a":1,}`, `[1,]`). The scanner refuses those, and that difference is expected.
/// Foundation's `NSDictionary` equality is wrong on Linux for keys holding a newline, and
/// `JSONSerialization` drops a U+FEFF at the start of a string value, so values are compared
/// by ``sameJSON(_:_:)`` and strings read back with `JSONDecoder`.
///
/// Excluded, on purpose, because the protocol defines them itself: a `\u` escape of a lone
/// surrogate (grammatical JSON the scanner passes and the payload decoder then refuses by
/// field, see EnvelopeTests), numbers beyond a double's range, and nesting past
/// ``FrameScanner/maxDepth`` (tested at the boundary below).
@Suite("Frame scanner against JSONSerialization")
struct FrameScannerDifferentialTests {
    static let seeds: [UInt64] = [1, 2, 3, 0x5B0A_2D]

    @Test("same verdict and same id, type and data on generated frames", arguments: seeds)
    func generated(seed: UInt64) throws {
        var random = SeededGenerator(seed: seed)
        var compared = 0
        var valid = 0
        for _ in 0..<1500 {
            let frame = JSONText.frame(&random)
            try compare(frame, seed: seed)
            compared += 1
            valid += 1
            for _ in 0..<3 {
                let mutated = JSONText.mutate(frame, &random)
                if JSONText.isExcluded(mutated) { continue }
                try compare(mutated, seed: seed)
                compared += 1
            }
        }
        #expect(compared > 5000 && valid == 1500)
    }

    @Test("nesting: the scanner's limit is exact, and a document within it is what Foundation reads")
    func depth() throws {
        let limit = FrameScanner.maxDepth
        func nested(_ depth: Int) -> Data {
            Data(("{\"type\":\"x.y\",\"data\":" + String(repeating: "[", count: depth - 1) + "{}" + String(repeating: "]", count: depth - 1) + "}").utf8)
        }
        let within = nested(limit)
        #expect((try? FrameScanner.scan(within)) != nil)
        #expect((try? JSONSerialization.jsonObject(with: within)) != nil)
        #expect(throws: FrameScanner.Failure.tooDeep) { try FrameScanner.scan(nested(limit + 1)) }
    }

    @Test("the string writer's output reads back as the same string", arguments: seeds)
    func stringWriter(seed: UInt64) throws {
        var random = SeededGenerator(seed: seed)
        var samples = (0..<0x20).map { String(UnicodeScalar(UInt8($0))) } + ["\"", "\\", "/", "\u{7F}", "\u{2028}", "\u{FEFF}", "👩‍👩‍👧", ""]
        for _ in 0..<2000 { samples.append(JSONText.rawString(&random)) }
        for original in samples {
            var buffer = ByteBuffer()
            OutboundFrame.writeJSONString(original, into: &buffer)
            let written = Data(buffer.readableBytesView)
            let read = try JSONDecoder().decode(String.self, from: written)
            #expect(read == original, "seed \(seed): \(original.debugDescription) was written as \(String(decoding: written, as: UTF8.self))")
            let frame = Data("{\"k\":".utf8) + written + Data("}".utf8)
            #expect((try? FrameScanner.scan(frame)) != nil, "seed \(seed): the scanner refuses the writer's \(original.debugDescription)")
        }
    }

    /// Compares one frame's verdict and values.
    func compare(_ text: String, seed: UInt64) throws {
        let data = Data(text.utf8)
        let foundation = try? JSONSerialization.jsonObject(with: data, options: .fragmentsAllowed)
        let scanned: Result<FrameScanner.Members, FrameScanner.Failure> = Result { () throws(FrameScanner.Failure) in try FrameScanner.scan(data) }
        let context = "seed \(seed): \(text.debugDescription)"
        switch (foundation, scanned) {
        case (nil, .failure(let failure)):
            #expect(failure == .notJSON, "\(context): Foundation refuses it, the scanner says \(failure)")
        case (nil, .success):
            Issue.record("\(context): the scanner accepts what Foundation refuses")
        case (_, .failure(.notJSON)) where JSONText.hasTrailingComma(text):
            break  // Foundation's leniency, see the suite's comment
        case (let value?, .failure(let failure)):
            #expect(!(value is [String: Any]) && failure == .notObject, "\(context): Foundation reads it, the scanner says \(failure)")
        case (let value?, .success):
            let object = try #require(value as? [String: Any], "\(context): the scanner calls a non-object an object")
            compareEnvelope(Envelope.parse(data, decoder: JSONDecoder()), with: object, bytes: data, context: context)
        }
    }

    /// The envelope reads what Foundation reads, member by member.
    func compareEnvelope(_ envelope: Envelope, with object: [String: Any], bytes: Data, context: String) {
        func isNull(_ value: Any?) -> Bool { value == nil || value is NSNull }
        let message = envelope.error?.message
        switch envelope.id {
        case .string(let id)?: #expect(object["id"] as? String == id, "\(context): id")
        case .int(let id)?: #expect((object["id"] as? NSNumber)?.int64Value == id, "\(context): id")
        case nil:
            if let id = object["id"] as? String, (1...64).contains(id.count) {
                Issue.record("\(context): the string id \(id.debugDescription) was not read")
            }
        }
        if message?.hasPrefix("id must be") == true { return }
        switch message {
        case "type is required"?: #expect(isNull(object["type"]), "\(context): type")
        case "type must be a string"?: #expect(!isNull(object["type"]) && !(object["type"] is String), "\(context): type")
        case "data must be a JSON object"?:
            #expect(object["type"] as? String == envelope.type || envelope.type.isEmpty, "\(context): type")
            #expect(!isNull(object["data"]) && !(object["data"] is [String: Any]), "\(context): data")
        case nil:
            #expect(object["type"] as? String == envelope.type, "\(context): type \(envelope.type.debugDescription)")
            if let range = envelope.dataRange {
                let slice = (try? JSONSerialization.jsonObject(with: bytes.subdata(in: range))) as? [String: Any]
                let expected = object["data"] as? [String: Any]
                #expect(slice != nil && expected != nil && sameJSON(slice!, expected!), "\(context): data")
            } else {
                #expect(isNull(object["data"]), "\(context): data")
            }
        case let other?:
            Issue.record("\(context): unexpected envelope error \(other)")
        }
    }
}

/// Whether two values read by `JSONSerialization` are the same JSON value.
func sameJSON(_ a: Any, _ b: Any) -> Bool {
    switch (a, b) {
    case (let a as [String: Any], let b as [String: Any]):
        return a.count == b.count && a.allSatisfy { key, value in b[key].map { sameJSON(value, $0) } ?? false }
    case (let a as [Any], let b as [Any]):
        return a.count == b.count && zip(a, b).allSatisfy { sameJSON($0, $1) }
    case (let a as String, let b as String): return a == b
    case (is NSNull, is NSNull): return true
    case (let a as NSNumber, let b as NSNumber): return a == b
    default: return false
    }
}

/// Generated JSON text: frames shaped like commands, values of every kind, and mutations.
enum JSONText {
    /// A command-shaped object: `id`, `type`, `data` in any order and form, plus other members.
    static func frame(_ random: inout SeededGenerator) -> String {
        var members: [(key: String, value: String)] = []
        if random.chance(80) {
            members.append((random.pick(["\"id\"", "\"\\u0069d\""]), random.pick([
                String(Int64.random(in: 0...9_007_199_254_740_991, using: &random)), string(&random), "null", "-3", "2.5", "true",
                "\"\"", "\"\(String(repeating: "x", count: 65))\"", "[1]", "{}",
            ])))
        }
        if random.chance(90) {
            members.append((random.pick(["\"type\"", "\"t\\u0079pe\""]), random.chance(85) ? random.pick([
                "\"chat.send\"", "\"hub.ping\"", "\"x.\\u00e9t\\u00e9\"", "\"a\\/b\"", string(&random),
            ]) : random.pick(["null", "5", "[]", "{\"t\":1}"])))
        }
        if random.chance(80) {
            members.append((random.pick(["\"data\"", "\"d\\u0061ta\""]), random.chance(85) ? object(&random, depth: 1) : value(&random, depth: 1)))
        }
        for _ in 0..<Int.random(in: 0...2, using: &random) { members.append(("\"extra\(members.count)\"", value(&random, depth: 1))) }
        members.shuffle(using: &random)
        return space(&random) + "{" + members.map { space(&random) + $0.key + space(&random) + ":" + space(&random) + $0.value }.joined(separator: ",")
            + space(&random) + "}" + space(&random)
    }

    static func value(_ random: inout SeededGenerator, depth: Int) -> String {
        let kinds = depth > 6 ? 4 : 6
        switch Int.random(in: 0..<kinds, using: &random) {
        case 0: return string(&random)
        case 1: return number(&random)
        case 2: return random.pick(["true", "false", "null"])
        case 3: return string(&random)
        case 4: return object(&random, depth: depth + 1)
        default:
            let items = (0..<Int.random(in: 0...3, using: &random)).map { _ in space(&random) + value(&random, depth: depth + 1) + space(&random) }
            return "[" + items.joined(separator: ",") + "]"
        }
    }

    static func object(_ random: inout SeededGenerator, depth: Int) -> String {
        let count = Int.random(in: 0...3, using: &random)
        // keys are distinct: a repeated key is a choice each parser makes its own way
        let members = (0..<count).map { n in "\"k\(n)\(random.pick(["", "é", "\\u00e9x", "\\n"]))\":" + space(&random) + value(&random, depth: depth + 1) }
        return "{" + members.joined(separator: ",") + "}"
    }

    static func number(_ random: inout SeededGenerator) -> String {
        var text = random.chance(30) ? "-" : ""
        text += random.chance(20) ? "0" : String(Int.random(in: 1...999_999, using: &random))
        if random.chance(30) { text += "." + String(Int.random(in: 0...9999, using: &random)) }
        if random.chance(20) { text += random.pick(["e", "E", "e+", "e-", "E-"]) + String(Int.random(in: 0...30, using: &random)) }
        return text
    }

    /// A JSON string literal with escapes, unicode and surrogate pairs.
    static func string(_ random: inout SeededGenerator) -> String {
        var text = "\""
        for _ in 0..<Int.random(in: 0...8, using: &random) {
            switch Int.random(in: 0..<7, using: &random) {
            case 0: text += random.pick(["\\\"", "\\\\", "\\/", "\\b", "\\f", "\\n", "\\r", "\\t"])
            case 1:
                var scalar = Int.random(in: 0x20...0xFFFD, using: &random)
                if (0xD800...0xDFFF).contains(scalar) { scalar = 0x41 }
                text += "\\u" + String(format: random.chance(50) ? "%04x" : "%04X", scalar)
            case 2: text += random.pick(["\\ud83d\\ude00", "\\uD83C\\uDF89"])
            case 3: text += random.pick(["é", "中", "😀", "\u{200D}", "\u{2028}", "ß"])
            default: text += String(UnicodeScalar(UInt8.random(in: 0x20...0x7E, using: &random))).replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"")
            }
        }
        return text + "\""
    }

    /// A Swift string with anything in it (for the writer).
    static func rawString(_ random: inout SeededGenerator) -> String {
        var text = ""
        for _ in 0..<Int.random(in: 0...12, using: &random) {
            switch Int.random(in: 0..<4, using: &random) {
            case 0: text.unicodeScalars.append(UnicodeScalar(UInt8.random(in: 0...0x7F, using: &random)))
            case 1: text += random.pick(["\"", "\\", "\u{0}", "\u{1F}", "\n", "\r", "\t"])
            case 2: text.unicodeScalars.append(UnicodeScalar(UInt32.random(in: 0xA0...0xD7FF, using: &random))!)
            default: text += random.pick(["😀", "👩‍👩‍👧", "e\u{301}", "\u{10FFFF}"])
            }
        }
        return text
    }

    static func space(_ random: inout SeededGenerator) -> String {
        random.chance(70) ? "" : random.pick([" ", "\n", "\t", "\r\n", "  "])
    }

    /// A small edit: delete, insert, replace or truncate, at the level of Unicode scalars
    /// (text frames are valid UTF-8 by the time the scanner sees them).
    static func mutate(_ text: String, _ random: inout SeededGenerator) -> String {
        var scalars = Array(text.unicodeScalars)
        let alphabet: [UnicodeScalar] = ["{", "}", "[", "]", "\"", ":", ",", "\\", "u", "0", "1", "9", "a", "e", "E", "+", "-", ".",
                                         "t", "n", "f", "l", " ", "\t", "\n", "\u{1}", "\u{0}", "é", "\u{A0}", "\u{FEFF}"]
        for _ in 0..<Int.random(in: 1...2, using: &random) where !scalars.isEmpty {
            let at = Int.random(in: 0..<scalars.count, using: &random)
            switch Int.random(in: 0..<4, using: &random) {
            case 0: scalars.remove(at: at)
            case 1: scalars.insert(random.pick(alphabet), at: at)
            case 2: scalars[at] = random.pick(alphabet)
            default: scalars.removeSubrange(at...)
            }
        }
        var result = ""
        result.unicodeScalars.append(contentsOf: scalars)
        return result
    }

    /// Whether a `,` is followed (after white space) by `}` or `]` outside any string.
    static func hasTrailingComma(_ text: String) -> Bool {
        var inString = false, escaped = false, pendingComma = false
        for scalar in text.unicodeScalars {
            if inString {
                if escaped { escaped = false } else if scalar == "\\" { escaped = true } else if scalar == "\"" { inString = false }
                continue
            }
            switch scalar {
            case "\"": inString = true; pendingComma = false
            case ",": pendingComma = true
            case "}", "]": if pendingComma { return true }
            case " ", "\t", "\n", "\r": break
            default: pendingComma = false
            }
        }
        return false
    }

    /// Inputs where the protocol, not JSON, decides (see the suite's comment).
    static func isExcluded(_ text: String) -> Bool {
        let scalars = Array(text.unicodeScalars)
        // U+FEFF: RFC 8259 lets a parser ignore a leading byte order mark or refuse it (the hub
        // refuses it), and JSONSerialization drops one at the start of a string value
        if scalars.contains("\u{FEFF}") { return true }
        var index = 0
        // a \u escape of a surrogate that is not part of a proper pair
        while index + 5 < scalars.count {
            if scalars[index] == "\\" {
                if scalars[index + 1] == "u", let unit = UInt32(String(String.UnicodeScalarView(scalars[index + 2...index + 5])), radix: 16),
                   (0xD800...0xDFFF).contains(unit) {
                    let next = index + 6
                    let paired = (0xD800...0xDBFF).contains(unit) && next + 5 < scalars.count && scalars[next] == "\\" && scalars[next + 1] == "u"
                        && UInt32(String(String.UnicodeScalarView(scalars[next + 2...next + 5])), radix: 16).map { (0xDC00...0xDFFF).contains($0) } == true
                    if !paired { return true }
                    index = next + 6
                    continue
                }
                index += 2
                continue
            }
            index += 1
        }
        // long digit runs and exponents of three digits or more: numbers beyond a double's range
        // or precision, which Foundation refuses and JSON's grammar allows
        var digits = 0
        var exponent = false
        for scalar in scalars {
            if ("0"..."9").contains(scalar) {
                digits += 1
                if digits > 15 || (exponent && digits > 2) { return true }
            } else {
                exponent = (scalar == "e" || scalar == "E") || (exponent && digits == 0 && (scalar == "+" || scalar == "-"))
                digits = 0
            }
        }
        return false
    }
}
