// Runs s3rver (a real S3 protocol server in pure JS) on a random loopback port in its own process, so that tests
// measuring the client's memory do not count the server's. Prints {"port":N} once listening.
import S3rver from "s3rver";

const [directory, ...buckets] = process.argv.slice(2);
const server = new S3rver({
  address: "127.0.0.1",
  port: 0,
  silent: true,
  directory,
  configureBuckets: buckets.map((name) => ({ name })),
});
const { port } = await server.run();
process.stdout.write(`${JSON.stringify({ port })}\n`);
process.on("SIGTERM", () => server.close().then(() => process.exit(0)));
// If the test process dies without stopping us, its end of our stdin closes: exit rather than linger.
process.stdin.on("end", () => process.exit(0));
process.stdin.resume();
