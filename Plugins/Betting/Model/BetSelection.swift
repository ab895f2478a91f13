public import HubKernel

/// What a bet is on: a number (`0`–`9`), a size (`small` is 0–4, `big` 5–9) or a parity
/// (`odd`, `even`). Parsed from the wire's `type` and `selection`.
public enum BetSelection: Sendable, Equatable {
    case number(Int)
    case size(big: Bool)
    case parity(odd: Bool)

    /// Parses `type` and `selection`.
    /// - Throws: `validation_failed` naming `type` or `selection`.
    public init(type: String, selection: String) throws(ValidationFailure) {
        switch type {
        case "number":
            guard selection.count == 1, let digit = Int(selection), (0...9).contains(digit) else {
                throw ValidationFailure("selection", "a number bet's selection is a digit from \"0\" to \"9\"")
            }
            self = .number(digit)
        case "size":
            guard selection == "small" || selection == "big" else {
                throw ValidationFailure("selection", "a size bet's selection is \"small\" (0–4) or \"big\" (5–9)")
            }
            self = .size(big: selection == "big")
        case "parity":
            guard selection == "odd" || selection == "even" else {
                throw ValidationFailure("selection", "a parity bet's selection is \"odd\" or \"even\"")
            }
            self = .parity(odd: selection == "odd")
        default:
            throw ValidationFailure("type", "type must be number, size or parity")
        }
    }

    /// The wire's `type`.
    public var type: String {
        switch self {
        case .number: "number"
        case .size: "size"
        case .parity: "parity"
        }
    }

    /// The wire's `selection`.
    public var selection: String {
        switch self {
        case .number(let digit): String(digit)
        case .size(let big): big ? "big" : "small"
        case .parity(let odd): odd ? "odd" : "even"
        }
    }

    /// Whether it wins when the round's result is `result` (0–9).
    public func wins(_ result: Int) -> Bool {
        switch self {
        case .number(let digit): result == digit
        case .size(let big): (result >= 5) == big
        case .parity(let odd): (result % 2 == 1) == odd
        }
    }
}
