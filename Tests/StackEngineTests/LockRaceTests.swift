import Foundation
import StackEngine
import Testing

/// Issue 11: a stale `file://` lock is taken over atomically. Real files and real flock(): each
/// racer opens the lock on its own descriptor, as separate runs do.
@Suite struct LockRaceTests {
    static let host: String = {
        var name = [CChar](repeating: 0, count: 256)
        gethostname(&name, name.count)
        return String(cString: name)
    }()

    /// A pid no process can have (above the kernel's pid_max).
    static let deadPID: Int = {
        let text = (try? String(contentsOfFile: "/proc/sys/kernel/pid_max", encoding: .utf8)) ?? "4194304"
        return (Int(text.trimmingCharacters(in: .whitespacesAndNewlines)) ?? 4_194_304) + 1
    }()

    static func holder(_ pid: Int, host: String = LockRaceTests.host) -> LockHolder {
        LockHolder(pid: pid, username: "test", hostname: host, timestamp: "2026-12-01T00:00:00Z")
    }

    func folder() throws -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("fd-locks-\(UUID().uuidString.prefix(8))").path
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }

    func lockPath(_ root: String) -> String { "\(root)/.pulumi/locks/organization/p/dev/f1ee7dec-0000-4000-8000-00000000f1ee.json" }

    /// Racers that all try to take the stack's lock at once; the indices of those that got it.
    func race(_ backend: FileBackend, racers: Int) async -> [Int] {
        await withTaskGroup(of: Int?.self) { group in
            for index in 0..<racers {
                group.addTask {
                    do {
                        try await backend.lock(project: "p", stack: "dev", holder: Self.holder(Int(getpid()) + index))
                        return index
                    } catch {
                        return nil
                    }
                }
            }
            var winners: [Int] = []
            for await winner in group { if let winner { winners.append(winner) } }
            return winners
        }
    }

    @Test func aHundredStaleLockRacesLetExactlyOneRunProceedEachTime() async throws {
        let root = try folder()
        defer { try? FileManager.default.removeItem(atPath: root) }
        let backend = FileBackend(root: root)
        let path = lockPath(root)
        try FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        for round in 0..<100 {
            // A lock left by a run of ours that died on this host (kill -9): nobody holds its flock.
            try Self.holder(Self.deadPID).json.serialized().write(toFile: path, atomically: true, encoding: .utf8)
            let winners = await race(backend, racers: 8)
            #expect(winners.count == 1, "round \(round): \(winners.count) runs took the lock")
            let content = try String(contentsOfFile: path, encoding: .utf8)
            #expect(!content.contains("\(Self.deadPID)"), "round \(round): the stale lock is still there")
            // While the winner holds it, nobody else gets it, stale-looking content or not.
            #expect(await race(backend, racers: 4).isEmpty, "round \(round)")
            try await backend.unlock(project: "p", stack: "dev")
            #expect(!FileManager.default.fileExists(atPath: path))
        }
    }

    @Test func aLiveHolderOrAnotherHostsLockIsNeverTakenOver() async throws {
        let root = try folder()
        defer { try? FileManager.default.removeItem(atPath: root) }
        let backend = FileBackend(root: root)
        let path = lockPath(root)
        try FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        // A lock written without flock by a process that is alive (this one), and one from elsewhere.
        for holder in [Self.holder(Int(getpid())), Self.holder(Self.deadPID, host: "another-host")] {
            try holder.json.serialized().write(toFile: path, atomically: true, encoding: .utf8)
            await #expect(throws: StateError.locked(stack: "dev", holder: holder.description)) {
                try await backend.lock(project: "p", stack: "dev", holder: Self.holder(1))
            }
            #expect(try String(contentsOfFile: path, encoding: .utf8) == holder.json.serialized())
        }
    }

    @Test func anEmptyLockFileIsStaleOnlyOnceItIsOld() async throws {
        let root = try folder()
        defer { try? FileManager.default.removeItem(atPath: root) }
        let backend = FileBackend(root: root)
        let path = lockPath(root)
        try FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        FileManager.default.createFile(atPath: path, contents: Data())
        await #expect(throws: StateError.locked(stack: "dev", holder: "another run (an unreadable lock file)")) {
            try await backend.lock(project: "p", stack: "dev", holder: Self.holder(1))
        }
        let old = Date().addingTimeInterval(-Double(LockHolder.unreadableLockAge + 5))
        try FileManager.default.setAttributes([.modificationDate: old], ofItemAtPath: path)
        try await backend.lock(project: "p", stack: "dev", holder: Self.holder(1))
        #expect(try String(contentsOfFile: path, encoding: .utf8) == Self.holder(1).json.serialized())
        try await backend.unlock(project: "p", stack: "dev")
    }
}
