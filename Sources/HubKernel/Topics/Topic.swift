/// A named stream of events: `<module>:<name>`, e.g. `chat:general`, `user:42`.
///
/// The prefix before the first `:` names the owning module, which decides who may
/// subscribe; `user:` and `hub:` belong to the kernel.
public struct Topic: Sendable, Hashable, CustomStringConvertible, ExpressibleByStringLiteral {
    /// The full name as it appears on the wire.
    public let name: String

    /// The longest accepted topic name, in UTF-8 bytes.
    public static let maxLength = 200

    /// Parses a client-supplied name; `nil` unless it is `<module>:<rest>` with a lowercase
    /// module, a non-empty rest, at most ``maxLength`` bytes and no control characters.
    public init?(_ name: String) {
        guard name.utf8.count <= Self.maxLength,
              let colon = name.firstIndex(of: ":"),
              colon != name.startIndex,
              name.index(after: colon) != name.endIndex,
              name[..<colon].allSatisfy({ ($0.isLetter && $0.isLowercase && $0.isASCII) || $0.isNumber }),
              !name.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7F })
        else { return nil }
        self.name = name
    }

    /// A name the caller guarantees is valid (kernel and module code).
    public init(unchecked name: String) { self.name = name }
    public init(stringLiteral value: String) { self.name = value }

    /// The owning module's name (`chat` for `chat:general`).
    public var module: String { String(name.prefix { $0 != ":" }) }
    /// The part after the module prefix (`general` for `chat:general`).
    public var localName: String {
        guard let colon = name.firstIndex(of: ":") else { return name }
        return String(name[name.index(after: colon)...])
    }
    public var description: String { name }
}
