import AWSCore
import AWSServices
import Foundation
import JSON
import StackAWS
import StackEngine
import Testing

/// Issue 11: the `s3://` backend takes over a lock left by a dead run on this host with a delete
/// conditional on the lock's ETag, so exactly one of many racers proceeds; other holders stay.
@Suite struct S3LockRaceTests {
    static let host: String = {
        var name = [CChar](repeating: 0, count: 256)
        gethostname(&name, name.count)
        return String(cString: name)
    }()
    static let deadPID = 4_194_305  // above any pid_max

    static func holder(_ pid: Int, host: String = S3LockRaceTests.host) -> LockHolder {
        LockHolder(pid: pid, username: "test", hostname: host, timestamp: "2026-12-01T00:00:00Z")
    }

    func bucket(_ client: AWSClient) async throws -> String {
        let name = Sandbox.unique("locks")
        _ = try await client.call(S3Operations.service, S3Operations.createBucket, ["Bucket": .string(name)])
        return name
    }

    func writeLock(_ client: AWSClient, bucket: String, _ holder: LockHolder) async throws {
        _ = try await client.call(S3Operations.service, S3Operations.putObject,
                                  ["Bucket": .string(bucket), "Key": ".pulumi/locks/organization/p/dev/f1ee7dec-0000-4000-8000-00000000f1ee.json"],
                                  payload: Array(holder.json.serialized().utf8))
    }

    func readLock(_ client: AWSClient, bucket: String) async throws -> String? {
        do {
            let answer = try await client.call(S3Operations.service, S3Operations.getObject,
                                               ["Bucket": .string(bucket), "Key": ".pulumi/locks/organization/p/dev/f1ee7dec-0000-4000-8000-00000000f1ee.json"])
            return String(decoding: answer.payload, as: UTF8.self)
        } catch let error as AWSError where error.code == "NoSuchKey" {
            return nil
        }
    }

    @Test func aHundredStaleLockRacesLetExactlyOneRunProceedEachTime() async throws {
        let client = try Sandbox.client()
        let bucket = try await bucket(client)
        for round in 0..<100 {
            try await writeLock(client, bucket: bucket, Self.holder(Self.deadPID))
            let winners = await withTaskGroup(of: Int?.self) { group in
                for index in 0..<4 {
                    group.addTask {
                        let backend = try? S3Backend(url: "s3://\(bucket)", client: { client })
                        do {
                            try await backend?.lock(project: "p", stack: "dev", holder: Self.holder(Int(getpid()), host: Self.host))
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
            #expect(winners.count == 1, "round \(round): \(winners.count) runs took the lock")
            #expect(try await readLock(client, bucket: bucket)?.contains("\(Self.deadPID)") == false, "round \(round)")
            try await S3Backend(url: "s3://\(bucket)", client: { client }).unlock(project: "p", stack: "dev")
        }
    }

    @Test func aLiveOrForeignHolderIsNamedAndKept() async throws {
        let client = try Sandbox.client()
        let bucket = try await bucket(client)
        let backend = try S3Backend(url: "s3://\(bucket)", client: { client })
        for holder in [Self.holder(Int(getpid())), Self.holder(Self.deadPID, host: "another-host")] {
            try await writeLock(client, bucket: bucket, holder)
            await #expect(throws: StateError.locked(stack: "dev", holder: holder.description)) {
                try await backend.lock(project: "p", stack: "dev", holder: Self.holder(1))
            }
            #expect(try await readLock(client, bucket: bucket) == holder.json.serialized())
        }
    }
}
