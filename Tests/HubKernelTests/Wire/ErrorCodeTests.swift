import Foundation
import Testing
@testable import HubKernel

@Suite("Error codes")
struct ErrorCodeTests {
    /// docs/protocol.md lists every code; the table and the enum must not drift apart.
    @Test("docs/protocol.md lists exactly the codes of ErrorCode") func docsMatch() throws {
        let docs = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("docs/protocol.md")
        let text = try String(contentsOf: docs, encoding: .utf8)
        guard let start = text.range(of: "<!-- error-codes:begin -->"), let end = text.range(of: "<!-- error-codes:end -->") else {
            Issue.record("docs/protocol.md has no error-codes table markers")
            return
        }
        let table = text[start.upperBound..<end.lowerBound]
        let documented = table.split(separator: "\n").compactMap { line -> String? in
            guard line.hasPrefix("| `") else { return nil }
            return line.split(separator: "`").dropFirst().first.map(String.init)
        }
        #expect(documented == ErrorCode.allCases.map(\.rawValue))
    }

    @Test("HTTP statuses follow protocol.md") func statuses() {
        #expect(ErrorCode.unauthorized.httpStatus == 401)
        #expect(ErrorCode.forbidden.httpStatus == 403)
        #expect(ErrorCode.notFound.httpStatus == 404)
        #expect(ErrorCode.conflict.httpStatus == 409)
        #expect(ErrorCode.payloadTooLarge.httpStatus == 413)
        #expect(ErrorCode.rateLimited.httpStatus == 429)
        #expect(ErrorCode.unavailable.httpStatus == 503)
        #expect(ErrorCode.internal.httpStatus == 500)
    }

    @Test("only retryable codes are temporary") func temporary() {
        #expect(ErrorCode.allCases.filter(\.isTemporary) == [.rateLimited, .featureDisabled, .unavailable, .internal])
    }
}
