import Foundation
import Testing
@testable import HubKernel

/// Every `validation_failed` names its field in words meant for people (protocol.md), also
/// for values that parse as JSON but do not fit their property, which `JSONDecoder` reports
/// without a path.
@Suite("Payload decoding names the field")
struct UndecodableValueTests {
    struct Page: Decodable { var room: String; var limit: Int?; var ratio: Double?; var ids: [String]?; var nested: Nested? }
    struct Nested: Decodable { var count: Int }

    func failure(_ json: String) -> HubError? {
        do {
            _ = try PayloadDecoder.decode(Page.self, data: Data(json.utf8), decoder: JSONDecoder())
            return nil
        } catch {
            return error as? HubError
        }
    }

    static let cases: [(String, String, String)] = [
        (#"{"room":"g","limit":1.5}"#, "limit", "limit must be an integer within range"),
        (#"{"room":"g","limit":9223372036854775808}"#, "limit", "limit must be an integer within range"),
        (#"{"room":"g","limit":-1e30}"#, "limit", "limit must be an integer within range"),
        (#"{"room":"g","ratio":1e400}"#, "ratio", "ratio must be a number within range"),
        (#"{"room":"g","ratio":0.25,"limit":2.5}"#, "limit", "limit must be an integer within range"),
        (#"{"room":"g","nested":{"count":0.5}}"#, "nested.count", "nested.count must be an integer within range"),
        (#"{"room":"\ud800"}"#, "room", #"room must be text without an unpaired \u surrogate escape (\ud800–\udfff)"#),
        (#"{"room":"g","ids":["ok","\udc00x"]}"#, "ids[1]", #"ids[1] must be text without an unpaired \u surrogate escape (\ud800–\udfff)"#),
    ]

    @Test("a value that parses but does not fit is validation_failed naming its field", arguments: cases)
    func named(json: String, field: String, message: String) {
        let error = failure(json)
        #expect(error?.code == .validationFailed)
        #expect(error?.field == field)
        #expect(error?.message == message)
    }

    @Test("values that fit decode: fractions for doubles, exponents that are integers, surrogate pairs")
    func fits() throws {
        let page = try PayloadDecoder.decode(Page.self, data: Data(#"{"room":"\ud83d\ude00","ratio":1.5e-3,"limit":1e2}"#.utf8), decoder: JSONDecoder())
        #expect(page.room == "😀" && page.limit == 100 && page.ratio == 0.0015)
    }

    @Test("a thousand floats in a field that wants integers cost a bounded number of decodes, and still name a field")
    func bounded() {
        let floats = (0..<1000).map { "\($0).5" }.joined(separator: ",")
        let error = failure(#"{"room":"g","nested":{"count":[\#(floats)]}}"#)
        #expect(error?.code == .validationFailed)
        #expect(error?.field?.isEmpty == false)
    }
}
