/// The code players type to join a game: six characters from an alphabet without the
/// look-alikes `0 O 1 I`, read case-insensitively.
enum JoinCode {
    static let alphabet = Array("ABCDEFGHJKLMNPQRSTUVWXYZ23456789")

    /// A fresh random code.
    static func make() -> String {
        var random = SystemRandomNumberGenerator()
        return String((0..<6).map { _ in alphabet.randomElement(using: &random)! })
    }

    /// `raw` as stored (upper case, spaces and dashes dropped), or `nil` when it cannot be a code.
    static func normalized(_ raw: String) -> String? {
        let code = raw.uppercased().filter { $0 != " " && $0 != "-" }
        guard code.count == 6, code.allSatisfy(alphabet.contains) else { return nil }
        return code
    }
}
