@testable import HubKernel
import Testing

/// Cursor numbers come back exactly as the hub printed them (found by the `cursor` fuzz
/// target's property: `Int64("+5")` and `Int64("007")` took spellings the hub never writes).
@Suite struct CursorNumberTests {
    @Test("the hub's spellings read back", arguments: [("0", 0), ("7", 7), ("1700000000000", 1_700_000_000_000), ("9223372036854775807", Int64.max)] as [(String, Int64)])
    func accepted(text: String, value: Int64) {
        #expect(CursorNumber.parse(text) == value)
        #expect(CursorNumber.parse(text[...]) == value)
    }

    @Test("anything else is refused", arguments: ["", "+5", "-1", "-0", "007", "00", " 5", "5 ", "5x", "1e3", "٣", "9223372036854775808", "99999999999999999999"])
    func refused(text: String) {
        #expect(CursorNumber.parse(text) == nil)
    }
}
