import Foundation
import HubKernel

/// The numbers inside paging cursors (``CursorNumber/parse(_:)``).
///
/// Property: a text is accepted exactly when it is how the hub prints some non-negative
/// `Int64` (so one position has one spelling and nothing else is taken), and then it reads
/// as that number.
struct CursorTarget: FuzzTarget {
    init() async throws {}

    func run(_ input: Data) async {
        guard let text = String(data: input, encoding: .utf8) else { return }
        let parsed = CursorNumber.parse(text)
        let reference = Int64(text).flatMap { $0 >= 0 && String($0) == text ? $0 : nil }
        guard parsed == reference else {
            FuzzFinding.report("CursorNumber read \(String(describing: parsed)), the hub prints \(String(describing: reference))", input: input)
        }
    }
}
