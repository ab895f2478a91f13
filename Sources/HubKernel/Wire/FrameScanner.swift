import Foundation

/// A strict, single-pass check of one JSON text frame that also finds the top-level `id`,
/// `type` and `data` values, so the payload decoder only reads `data` (one full parse per
/// command instead of two).
///
/// It accepts exactly RFC 8259 JSON (nesting limited to ``maxDepth``); anything else is
/// reported and answered `bad_request` by the caller.
struct FrameScanner {
    /// The byte range of each top-level member the hub reads.
    struct Members {
        var id: Range<Int>?
        var type: Range<Int>?
        var data: Range<Int>?
    }

    enum Failure: Error { case notJSON, notObject, tooDeep }

    static let maxDepth = 256

    private let bytes: UnsafeRawBufferPointer
    private var index = 0

    private init(_ bytes: UnsafeRawBufferPointer) { self.bytes = bytes }

    /// Scans `data`. - Throws: ``Failure`` when it is not one JSON object.
    static func scan(_ data: Data) throws(Failure) -> Members {
        let result: Result<Members, Failure> = data.withUnsafeBytes { raw in
            var scanner = FrameScanner(raw)
            do throws(Failure) { return .success(try scanner.document()) } catch { return .failure(error) }
        }
        return try result.get()
    }

    private var current: UInt8? { index < bytes.count ? bytes[index] : nil }

    private mutating func skipSpace() {
        while let byte = current, byte == 0x20 || byte == 0x0A || byte == 0x0D || byte == 0x09 { index += 1 }
    }

    private mutating func expect(_ byte: UInt8) throws(Failure) {
        guard current == byte else { throw .notJSON }
        index += 1
    }

    private mutating func document() throws(Failure) -> Members {
        skipSpace()
        guard current == UInt8(ascii: "{") else {
            // a valid document of another kind is "not an object"; anything else is not JSON
            try value(depth: 1)
            skipSpace()
            throw index == bytes.count ? .notObject : .notJSON
        }
        var members = Members()
        index += 1
        skipSpace()
        if current == UInt8(ascii: "}") {
            index += 1
        } else {
            while true {
                skipSpace()
                let keyStart = index
                try string()
                let key = keyStart + 1..<index - 1
                skipSpace()
                try expect(UInt8(ascii: ":"))
                skipSpace()
                let valueStart = index
                try value(depth: 1)
                let range = valueStart..<index
                switch keyName(key) {
                case "id": members.id = range
                case "type": members.type = range
                case "data": members.data = range
                default: break
                }
                skipSpace()
                if current == UInt8(ascii: ",") { index += 1; continue }
                try expect(UInt8(ascii: "}"))
                break
            }
        }
        skipSpace()
        guard index == bytes.count else { throw .notJSON }
        return members
    }

    /// The name of a member whose key is `range` (quotes excluded), when it is one of the
    /// three the hub reads. A key spelled with escapes (`"t\u0079pe"`) is the same key to
    /// every JSON parser, so it is decoded here too (a rare path: clients do not escape ASCII).
    private func keyName(_ range: Range<Int>) -> String? {
        var name = ""
        var escaped = false
        for offset in range {
            let byte = bytes[offset]
            if byte == UInt8(ascii: "\\") { escaped = true; break }
            guard byte >= 0x61, byte <= 0x7A, name.utf8.count < 4 else { return nil }
            name.unicodeScalars.append(Unicode.Scalar(byte))
        }
        guard escaped else { return name }
        let literal = Data(bytes[(range.lowerBound - 1)..<(range.upperBound + 1)])
        guard let decoded = try? JSONDecoder().decode(String.self, from: literal), ["id", "type", "data"].contains(decoded) else { return nil }
        return decoded
    }

    private mutating func value(depth: Int) throws(Failure) {
        guard depth <= Self.maxDepth else { throw .tooDeep }
        switch current {
        case UInt8(ascii: "{"):
            index += 1
            skipSpace()
            if current == UInt8(ascii: "}") { index += 1; return }
            while true {
                skipSpace()
                try string()
                skipSpace()
                try expect(UInt8(ascii: ":"))
                skipSpace()
                try value(depth: depth + 1)
                skipSpace()
                if current == UInt8(ascii: ",") { index += 1; continue }
                try expect(UInt8(ascii: "}"))
                return
            }
        case UInt8(ascii: "["):
            index += 1
            skipSpace()
            if current == UInt8(ascii: "]") { index += 1; return }
            while true {
                skipSpace()
                try value(depth: depth + 1)
                skipSpace()
                if current == UInt8(ascii: ",") { index += 1; continue }
                try expect(UInt8(ascii: "]"))
                return
            }
        case UInt8(ascii: "\""): try string()
        case UInt8(ascii: "t"): try literal("true")
        case UInt8(ascii: "f"): try literal("false")
        case UInt8(ascii: "n"): try literal("null")
        case .some(let byte) where byte == UInt8(ascii: "-") || (0x30...0x39).contains(byte): try number()
        default: throw .notJSON
        }
    }

    private mutating func literal(_ word: StaticString) throws(Failure) {
        let count = word.utf8CodeUnitCount
        guard index + count <= bytes.count else { throw .notJSON }
        for offset in 0..<count where bytes[index + offset] != word.utf8Start[offset] { throw .notJSON }
        index += count
    }

    private mutating func string() throws(Failure) {
        try expect(UInt8(ascii: "\""))
        while let byte = current {
            index += 1
            switch byte {
            case UInt8(ascii: "\""): return
            case UInt8(ascii: "\\"):
                guard let escaped = current else { throw .notJSON }
                index += 1
                switch escaped {
                case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"), UInt8(ascii: "b"), UInt8(ascii: "f"),
                     UInt8(ascii: "n"), UInt8(ascii: "r"), UInt8(ascii: "t"): break
                case UInt8(ascii: "u"):
                    for _ in 0..<4 {
                        guard let hex = current, (0x30...0x39).contains(hex) || (0x41...0x46).contains(hex) || (0x61...0x66).contains(hex)
                        else { throw .notJSON }
                        index += 1
                    }
                default: throw .notJSON
                }
            case 0x00..<0x20: throw .notJSON  // control characters must be escaped
            default: break
            }
        }
        throw .notJSON
    }

    private mutating func number() throws(Failure) {
        if current == UInt8(ascii: "-") { index += 1 }
        guard let first = current, (0x30...0x39).contains(first) else { throw .notJSON }
        index += 1
        if first != UInt8(ascii: "0") { while let digit = current, (0x30...0x39).contains(digit) { index += 1 } }
        if current == UInt8(ascii: ".") {
            index += 1
            guard let digit = current, (0x30...0x39).contains(digit) else { throw .notJSON }
            while let digit = current, (0x30...0x39).contains(digit) { index += 1 }
        }
        if current == UInt8(ascii: "e") || current == UInt8(ascii: "E") {
            index += 1
            if current == UInt8(ascii: "+") || current == UInt8(ascii: "-") { index += 1 }
            guard let digit = current, (0x30...0x39).contains(digit) else { throw .notJSON }
            while let digit = current, (0x30...0x39).contains(digit) { index += 1 }
        }
    }
}
