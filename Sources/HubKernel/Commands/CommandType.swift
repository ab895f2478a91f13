/// The `type` of a client command: `<module>.<action>`, e.g. `chat.send`.
public struct CommandType: Sendable, Hashable, ExpressibleByStringLiteral, CustomStringConvertible {
    /// The full type string as it appears on the wire.
    public let rawValue: String

    /// The type `rawValue` (`<module>.<action>`).
    public init(_ rawValue: String) { self.rawValue = rawValue }
    public init(stringLiteral value: String) { self.rawValue = value }

    /// The namespace before the first dot (`chat`).
    public var module: String { rawValue.split(separator: ".", maxSplits: 1).first.map(String.init) ?? "" }
    /// The action after the first dot (`send`).
    public var action: String {
        let parts = rawValue.split(separator: ".", maxSplits: 1)
        return parts.count == 2 ? String(parts[1]) : ""
    }
    public var description: String { rawValue }
}
