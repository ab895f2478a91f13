/// A module's name: the namespace of its command types (`chat.*`), topics (`chat:*`),
/// configuration keys (`modules.chat.*`), feature flag, tables and migrations.
///
/// Lowercase ASCII letters and digits, starting with a letter, at most 32 characters;
/// `hub` and `user` are the kernel's.
public struct ModuleName: Sendable, Hashable, ExpressibleByStringLiteral, CustomStringConvertible {
    /// The name as written: lowercase letters, digits and `_`.
    public let rawValue: String

    public init(stringLiteral value: String) { self.rawValue = value }
    /// The module name `value`.
    public init(_ value: String) { self.rawValue = value }

    /// Names the kernel keeps for itself.
    public static let reserved: Set<String> = ["hub", "user", "auth", "admin", "metrics", "ws"]

    /// Whether the name follows the rules above.
    public var isValid: Bool {
        guard let first = rawValue.unicodeScalars.first, ("a"..."z").contains(first), rawValue.count <= 32 else { return false }
        return rawValue.unicodeScalars.allSatisfy { ("a"..."z").contains($0) || ("0"..."9").contains($0) }
            && !Self.reserved.contains(rawValue)
    }
    public var description: String { rawValue }
}
