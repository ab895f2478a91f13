import Foundation

/// A value as SQLite stores it: what a statement binds and what a row holds.
///
/// The kernel's SQLite layer speaks the C library directly (``SQLiteHandle``), so it has its
/// own value type and coding; the conversions match SQLiteKit's (integers, text, `Bool` as
/// 0/1, `Date` as seconds since 1970, `Data` as a blob, anything else as JSON text), so the
/// data written by earlier versions reads back the same.
enum SQLiteValue: Sendable, Equatable {
    case integer(Int64)
    case real(Double)
    case text(String)
    case blob([UInt8])
    case null

    /// The value to bind for a Swift value (SQLKit's binds).
    static func encoding(_ value: any Encodable) throws -> SQLiteValue {
        if let optional = value as? any OptionalValue, optional.isNone { return .null }
        switch value {
        case let value as String: return .text(value)
        case let value as Int: return .integer(Int64(value))
        case let value as Int64: return .integer(value)
        case let value as Bool: return .integer(value ? 1 : 0)
        case let value as Int32: return .integer(Int64(value))
        case let value as Int16: return .integer(Int64(value))
        case let value as Int8: return .integer(Int64(value))
        case let value as UInt8: return .integer(Int64(value))
        case let value as UInt16: return .integer(Int64(value))
        case let value as UInt32: return .integer(Int64(value))
        case let value as UInt: return Int64(exactly: value).map { .integer($0) } ?? .text(String(value))
        case let value as UInt64: return Int64(exactly: value).map { .integer($0) } ?? .text(String(value))
        case let value as Double: return .real(value)
        case let value as Float: return .real(Double(value))
        case let value as Data: return .blob([UInt8](value))
        case let value as [UInt8]: return .blob(value)
        case let value as Date: return .real(value.timeIntervalSince1970)
        case let value as UUID: return .text(value.uuidString)
        case let value as SQLiteValue: return value
        default: return try encodingThroughJSON(value)
        }
    }

    /// Anything else (an optional that is nil, a `RawRepresentable`, a structure): encoded as
    /// JSON; a scalar becomes that scalar, a container the JSON text.
    private static func encodingThroughJSON(_ value: any Encodable) throws -> SQLiteValue {
        let wrapped = try JSONEncoder().encode(Box(value: value))
        let decoder = JSONDecoder()
        if let scalar = try? decoder.decode([String?].self, from: wrapped) { return scalar[0].map { .text($0) } ?? .null }
        if let scalar = try? decoder.decode([Bool].self, from: wrapped) { return .integer(scalar[0] ? 1 : 0) }
        if let scalar = try? decoder.decode([Int64].self, from: wrapped) { return .integer(scalar[0]) }
        if let scalar = try? decoder.decode([Double].self, from: wrapped) { return .real(scalar[0]) }
        return .text(String(decoding: try JSONEncoder().encode(AnyEncodable(value: value)), as: UTF8.self))
    }

    /// `[value]`: JSON's top level is then always an array, whatever the value is.
    private struct Box: Encodable {
        let value: any Encodable
        func encode(to encoder: any Encoder) throws {
            var container = encoder.unkeyedContainer()
            try container.encode(AnyEncodable(value: value))
        }
    }

    private struct AnyEncodable: Encodable {
        let value: any Encodable
        func encode(to encoder: any Encoder) throws { try value.encode(to: encoder) }
    }

    /// The Swift value of a column (SQLKit's `decode(column:as:)`).
    func decoded<D: Decodable>(as type: D.Type) throws -> D {
        // the common column types without going through Decodable (a conditional cast each:
        // a type it does not fit falls through to the general path below)
        if let value = fastDecoded(as: D.self) { return value }
        do {
            return try D(from: ValueDecoder(value: self))
        } catch is NeedsJSON {
            guard case .text(let json) = self else { throw mismatch(D.self) }
            return try JSONDecoder().decode(D.self, from: Data(json.utf8))
        }
    }

    /// The value as `D` when `D` is one of the few types read on every command (`nil` for any
    /// other type, optionals included, and for a value that does not fit).
    private func fastDecoded<D>(as type: D.Type) -> D? {
        let value: Any?
        if D.self == String.self { value = textValue }
        else if D.self == Int64.self { value = integerValue }
        else if D.self == Int.self { value = integerValue.map { Int($0) } }
        else if D.self == Bool.self { value = integerValue.flatMap { $0 == 0 ? false : $0 == 1 ? true : nil } }
        else if D.self == Data.self, case .blob(let bytes) = self { value = Data(bytes) }
        else if D.self == [UInt8].self, case .blob(let bytes) = self { value = bytes }
        else if D.self == Date.self { value = realValue.map { Date(timeIntervalSince1970: $0) } }
        else { value = nil }
        // the unwrapped value is exactly a `D` here; a conditional cast keeps it free of traps
        return value.flatMap { $0 as? D }
    }

    var textValue: String? {
        switch self {
        case .text(let text): text
        case .integer(let integer): String(integer)
        case .real(let real): String(real)
        case .blob, .null: nil
        }
    }

    var integerValue: Int64? {
        switch self {
        case .integer(let integer): integer
        case .real(let real): Int64(exactly: real)
        case .text(let text): Int64(text)
        case .blob, .null: nil
        }
    }

    var realValue: Double? {
        switch self {
        case .integer(let integer): Double(integer)
        case .real(let real): real
        case .text(let text): Double(text)
        case .blob, .null: nil
        }
    }

    fileprivate func mismatch<T>(_ type: T.Type) -> DecodingError {
        .typeMismatch(type, .init(codingPath: [], debugDescription: "cannot read SQLite value \(self) as \(type)"))
    }
}

/// Lets an `Optional` bound as `any Encodable` be told apart when it holds nothing.
private protocol OptionalValue { var isNone: Bool { get } }
extension Optional: OptionalValue { var isNone: Bool { self == nil } }

/// A column's value needs a container: it is stored as JSON text.
private struct NeedsJSON: Error {}

/// Decodes one column's value through `Decodable` (optionals, `RawRepresentable` enums).
private struct ValueDecoder: Decoder, SingleValueDecodingContainer {
    let value: SQLiteValue
    var codingPath: [any CodingKey] { [] }
    var userInfo: [CodingUserInfoKey: Any] { [:] }

    func container<Key: CodingKey>(keyedBy type: Key.Type) throws -> KeyedDecodingContainer<Key> { throw NeedsJSON() }
    func unkeyedContainer() throws -> any UnkeyedDecodingContainer { throw NeedsJSON() }
    func singleValueContainer() throws -> any SingleValueDecodingContainer { self }

    func decodeNil() -> Bool { value == .null }
    func decode(_ type: Bool.Type) throws -> Bool {
        guard let integer = value.integerValue, integer == 0 || integer == 1 else { throw value.mismatch(type) }
        return integer == 1
    }
    func decode(_ type: String.Type) throws -> String {
        guard let text = value.textValue else { throw value.mismatch(type) }
        return text
    }
    func decode(_ type: Double.Type) throws -> Double {
        guard let real = value.realValue else { throw value.mismatch(type) }
        return real
    }
    func decode(_ type: Float.Type) throws -> Float { Float(try decode(Double.self)) }
    func decode(_ type: Int.Type) throws -> Int { try integer(type) }
    func decode(_ type: Int8.Type) throws -> Int8 { try integer(type) }
    func decode(_ type: Int16.Type) throws -> Int16 { try integer(type) }
    func decode(_ type: Int32.Type) throws -> Int32 { try integer(type) }
    func decode(_ type: Int64.Type) throws -> Int64 { try integer(type) }
    func decode(_ type: UInt.Type) throws -> UInt { try integer(type) }
    func decode(_ type: UInt8.Type) throws -> UInt8 { try integer(type) }
    func decode(_ type: UInt16.Type) throws -> UInt16 { try integer(type) }
    func decode(_ type: UInt32.Type) throws -> UInt32 { try integer(type) }
    func decode(_ type: UInt64.Type) throws -> UInt64 {
        if case .text(let text) = value, let big = UInt64(text) { return big }
        return try integer(type)
    }
    func decode<T: Decodable>(_ type: T.Type) throws -> T { try value.decoded(as: type) }

    private func integer<T: FixedWidthInteger>(_ type: T.Type) throws -> T {
        guard let integer = value.integerValue, let exact = T(exactly: integer) else { throw value.mismatch(type) }
        return exact
    }
}
