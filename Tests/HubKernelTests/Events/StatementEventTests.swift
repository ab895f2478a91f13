import Foundation
import Testing
@testable import HubKernel

/// ``StatementEvent`` splits an encoded event around the one number its statement assigns.
@Suite("StatementEvent")
struct StatementEventTests {
    let placeholder = String(StatementEvent.placeholder)

    func split(_ json: String) -> (String, String?)? {
        StatementEvent.split(Data(json.utf8)).map { (String(decoding: $0.prefix, as: UTF8.self), $0.suffix.map { String(decoding: $0, as: UTF8.self) }) }
    }

    @Test("the placeholder as a number is cut out; one at the very end too") func cut() {
        #expect(split(#"{"a":1,"seq":\#(placeholder),"b":"x"}"#)! == (#"{"a":1,"seq":"#, #","b":"x"}"#))
        #expect(split(placeholder)! == ("", ""))
    }

    @Test("inside a string, even with escaped quotes, it is text, not the placeholder") func strings() {
        let json = #"{"text":"\"\#(placeholder)\" \\","seq":\#(placeholder)}"#
        #expect(split(json)! == (#"{"text":"\"\#(placeholder)\" \\","seq":"#, "}"))
        #expect(split(#"{"text":"\#(placeholder)"}"#)! == (#"{"text":"\#(placeholder)"}"#, nil))
    }

    @Test("a longer number that starts with its digits is not the placeholder") func longer() {
        #expect(split(#"{"n":\#(placeholder)0}"#)! == (#"{"n":\#(placeholder)0}"#, nil))
    }

    @Test("twice is refused") func twice() {
        #expect(split(#"[\#(placeholder),\#(placeholder)]"#) == nil)
    }
}
