import Testing
@testable import HubKernel

@Suite("TextRule")
struct TextRuleTests {
    let title = TextRule("title", length: 1...5)
    let body = TextRule("body", length: 0...5, multiline: true)

    @Test("counts code points after trimming, as the database's length() does") func counts() throws {
        #expect(try title.clean("  abcde \n") == "abcde")
        #expect(try title.clean(String(repeating: "e\u{301}", count: 2) + "x") == "e\u{301}e\u{301}x", "5 code points, 3 characters")
        #expect(throws: ValidationFailure.self) { try title.clean(String(repeating: "e\u{301}", count: 3)) }
        #expect(try title.clean("👍👍👍👍👍").utf8.count == 20, "four bytes per code point at most")
        #expect(title.maxBytes == 20)
    }

    @Test("names the field and the count in the failure") func failure() {
        #expect(throws: ValidationFailure("title", "title must be 1 to 5 characters (Unicode code points; it has 0)")) { try title.clean("   ") }
        #expect(throws: ValidationFailure("body", "body must be at most 5 characters (Unicode code points; it has 6)")) { try body.clean("abcdef") }
    }

    @Test("control characters: refused on one line, newline and tab allowed in multi-line text", arguments: ["a\u{0}b", "a\u{7}b", "a\u{1B}b", "a\u{7F}b", "a\nb", "a\tb"])
    func control(_ text: String) throws {
        #expect(throws: ValidationFailure.self) { try title.clean(text) }
        if text.contains("\n") || text.contains("\t") {
            #expect(try body.clean(text) == text)
        } else {
            #expect(throws: ValidationFailure.self) { try body.clean(text) }
        }
    }
}
