import Crypto
import Foundation

/// The provably fair draw, byte for byte as pinned in modules.md, so anyone can check a
/// round without our code (`examples/clients/verify_round.py`):
///
/// - `serverSeed`: 32 random bytes, shown as 64 lowercase hex characters, revealed at settlement;
/// - `commitment` = lowercase hex of SHA-256 over those 32 bytes, published when the round opens;
/// - `h = HMAC-SHA256(key: the seed bytes, message: UTF-8 of roundId)`; the result is `b mod 10`
///   for the first byte `b` of `h` with `b < 250` (250 = 25 × 10: rejection sampling, no
///   modulo bias); if no byte qualifies, the same with message `roundId + ":1"`, `":2"`, ….
public enum ProvablyFair {
    /// A fresh secret seed.
    public static func newSeed() -> [UInt8] {
        var generator = SystemRandomNumberGenerator()
        return (0..<32).map { _ in UInt8.random(in: .min ... .max, using: &generator) }
    }

    /// The commitment to `seed`.
    public static func commitment(of seed: [UInt8]) -> String {
        hex(Array(SHA256.hash(data: seed)))
    }

    /// The result of round `roundID` under `seed`.
    public static func result(seed: [UInt8], roundID: String) -> Int {
        let key = SymmetricKey(data: seed)
        var attempt = 0
        while true {
            let message = attempt == 0 ? roundID : "\(roundID):\(attempt)"
            let code = HMAC<SHA256>.authenticationCode(for: Data(message.utf8), using: key)
            if let byte = code.first(where: { $0 < 250 }) { return Int(byte % 10) }
            attempt += 1
        }
    }

    /// Lowercase hex.
    public static func hex(_ bytes: [UInt8]) -> String {
        let digits = Array("0123456789abcdef".utf8)
        var text = [UInt8]()
        text.reserveCapacity(bytes.count * 2)
        for byte in bytes {
            text.append(digits[Int(byte >> 4)])
            text.append(digits[Int(byte & 0x0F)])
        }
        return String(decoding: text, as: UTF8.self)
    }

    /// The bytes of lowercase or uppercase hex, or `nil`.
    public static func bytes(hex text: String) -> [UInt8]? {
        let utf8 = Array(text.utf8)
        guard utf8.count % 2 == 0 else { return nil }
        var bytes = [UInt8]()
        for index in stride(from: 0, to: utf8.count, by: 2) {
            guard let high = nibble(utf8[index]), let low = nibble(utf8[index + 1]) else { return nil }
            bytes.append(high << 4 | low)
        }
        return bytes
    }

    private static func nibble(_ character: UInt8) -> UInt8? {
        switch character {
        case 48...57: character - 48
        case 97...102: character - 87
        case 65...70: character - 55
        default: nil
        }
    }
}
