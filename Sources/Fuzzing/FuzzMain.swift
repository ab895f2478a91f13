import Foundation

/// `switchboard-fuzz`: coverage-guided fuzzing of the parsers a client reaches (issue #17).
///
/// Built by `scripts/fuzz.sh` with libFuzzer's coverage instrumentation and
/// `-DSWITCHBOARD_FUZZING`, `switchboard-fuzz <target> [libFuzzer options] [corpus dirs]` hands
/// the target to libFuzzer. An ordinary build (the test suite's) is a replayer:
/// `switchboard-fuzz <target> <files or dirs>` runs every input once and stops at the first
/// broken property, so the committed corpus and every saved finding stay regression tests.
@main
struct FuzzMain {
    static func main() async {
        let arguments = CommandLine.arguments
        guard arguments.count >= 2, let kind = FuzzTargets.kind(named: arguments[1]) else {
            FileHandle.standardError.write(Data("""
                usage: switchboard-fuzz <target> [inputs…]   targets: \(FuzzTargets.names.joined(separator: ", "))

                """.utf8))
            exit(2)
        }
        let target: any FuzzTarget
        do {
            target = try await kind.init()
        } catch {
            FileHandle.standardError.write(Data("switchboard-fuzz: \(arguments[1]) could not start: \(error)\n".utf8))
            exit(1)
        }
        #if SWITCHBOARD_FUZZING
        exit(LibFuzzer.run(target, arguments: [arguments[0]] + arguments.dropFirst(2)))
        #else
        exit(await Replay.run(target, paths: Array(arguments.dropFirst(2))))
        #endif
    }
}
