import PostgresKit
import SQLKit

/// PostgresNIO's side of a ``PreparedStatement``: one type per statement type, so its name and
/// SQL are static as PostgresNIO wants them, and the driver keeps it prepared per connection.
struct PostgresPrepared<Statement: PreparedStatement>: PostgresPreparedStatement {
    typealias Row = PostgresRow

    /// `sb_` and a hash of the statement's type name: PostgreSQL cuts names at 63 bytes, and
    /// two long type names must not meet in their first 63.
    static var name: String {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325  // FNV-1a
        for byte in String(reflecting: Statement.self).utf8 { hash = (hash ^ UInt64(byte)) &* 0x100_0000_01b3 }
        return "sb_" + String(hash, radix: 36)
    }

    static var sql: String { Statement.sql }

    let values: [StatementValue]

    func makeBindings() throws -> PostgresBindings {
        var bindings = PostgresBindings(capacity: values.count)
        for value in values {
            switch value {
            case .text(let text): bindings.append(text)
            case .bigint(let number): bindings.append(number)
            case .boolean(let flag): bindings.append(flag)
            case .texts(let texts): bindings.append(texts)
            case .bigints(let numbers): bindings.append(numbers)
            case .booleans(let flags): bindings.append(flags)
            }
        }
        return bindings
    }

    func decodeRow(_ row: PostgresRow) throws -> PostgresRow { row }
}
