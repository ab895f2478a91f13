import Foundation

/// One parser a client reaches, driven with arbitrary bytes.
///
/// A target checks properties, not just "no crash": each compares what the parser accepted
/// with an independent reading (Foundation's JSON parser, `Decimal`, the issued token, the
/// hub's own reply codes). A broken property stops the process through ``FuzzFinding``, which
/// libFuzzer records as a crashing input.
protocol FuzzTarget: Sendable {
    /// Prepares the target (a hub, a signing key) once per process.
    init() async throws
    /// Runs one input.
    func run(_ input: Data) async
}

/// The targets by the name the command line and `scripts/fuzz.sh` use.
enum FuzzTargets {
    /// Every target, in the order `scripts/fuzz.sh` runs them.
    static let all: [(name: String, kind: any FuzzTarget.Type)] = [
        ("frame", FrameTarget.self),
        ("money", MoneyTarget.self),
        ("cursor", CursorTarget.self),
        ("token", TokenTarget.self),
        ("command", CommandTarget.self),
    ]

    /// The target names.
    static var names: [String] { all.map(\.name) }

    /// The target called `name`.
    static func kind(named name: String) -> (any FuzzTarget.Type)? { all.first { $0.name == name }?.kind }
}

/// A broken property: the process stops with the reason (libFuzzer saves the input).
enum FuzzFinding {
    /// Stops the process, naming what broke and the input that broke it.
    static func report(_ property: String, input: Data) -> Never {
        let shown = String(data: input, encoding: .utf8).map { String(reflecting: $0) } ?? input.map { String(format: "%02x", $0) }.joined()
        fatalError("fuzz finding: \(property)\ninput: \(shown.prefix(2_000))")
    }
}
