/// The numbers inside a paging cursor (`nextCursor`, passed back as `before`), read strictly.
///
/// A cursor is opaque to clients but the hub wrote it, so it must come back exactly as
/// written: `Int64("+5")` and `Int64("007")` would take cursors the hub never issued (and give
/// two spellings of one position). Checked by the `cursor` fuzz target (docs/security.md).
public enum CursorNumber {
    /// `text` as a non-negative integer spelled as the hub spells it: ASCII digits, no sign, no
    /// leading zero (except `0` itself), within `Int64`; otherwise `nil`.
    public static func parse(_ text: some StringProtocol) -> Int64? {
        let digits = text.utf8
        guard let first = digits.first, digits.count <= 19, first != UInt8(ascii: "0") || digits.count == 1 else { return nil }
        var value: Int64 = 0
        for digit in digits {
            guard (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(digit) else { return nil }
            let (times10, overflow) = value.multipliedReportingOverflow(by: 10)
            let (sum, overflowAdd) = times10.addingReportingOverflow(Int64(digit - UInt8(ascii: "0")))
            guard !overflow, !overflowAdd else { return nil }
            value = sum
        }
        return value
    }
}
