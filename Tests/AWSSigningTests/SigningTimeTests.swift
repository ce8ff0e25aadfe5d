import AWSSigning
import Testing

@Suite struct SigningTimeTests {
    @Test func formatsAndParses() {
        let time = SigningTime(secondsSince1970: 1_440_938_160)
        #expect(time.amzDate == "20150830T123600Z")
        #expect(time.dateStamp == "20150830")
        #expect(SigningTime(iso8601: "2015-08-30T12:36:00Z") == time)
        #expect(SigningTime(iso8601: "2015-08-30T14:36:00.123+02:00") == time)
        #expect(SigningTime(iso8601: "2000-02-29T00:00:00Z")?.dateStamp == "20000229")
        #expect(SigningTime(iso8601: "2015-13-30T12:36:00Z") == nil)
        #expect(SigningTime(iso8601: "yesterday") == nil)
    }

    @Test func civilRoundTrip() {
        for seconds: Int64 in [0, 951_782_400, 4_102_444_799, -86_400, 1_709_164_800] {
            #expect(CivilTime(secondsSince1970: seconds).secondsSince1970 == seconds)
        }
    }

    @Test func credentialsNeverPrintSecrets() {
        let credentials = AWSCredentials(accessKeyID: "AKID", secretAccessKey: "very-secret", sessionToken: "token-secret")
        #expect(!"\(credentials)".contains("very-secret") && !"\(credentials)".contains("token-secret"))
    }
}
