// Send an SMS, list messages, page through Verify services: all against `twreplay serve`.
//   twreplay serve --port 4010 &
//   TWREPLAY_URL=http://127.0.0.1:4010 node index.js
const twilio = require("twilio");
const { TwreplayClient } = require("./twreplayClient");

const base = process.env.TWREPLAY_URL || "http://127.0.0.1:4010";
const client = twilio("AC" + "1".repeat(32), "any-token", {
  httpClient: new TwreplayClient(base),
});

async function main() {
  const message = await client.messages.create({
    to: "+14155550123",
    from: "+15005550006",
    body: "Hello from Node",
  });
  console.log(`sent ${message.sid} to ${message.to}: ${message.body} (${message.status})`);
  const fetched = await client.messages(message.sid).fetch();
  console.log(`fetched ${fetched.sid}: ${fetched.body}`);
  const services = await client.verify.v2.services.list({ pageSize: 2 });
  console.log(`verify services listed: ${services.length}`);
  try {
    await client.messages.create({ to: "+15005550001", from: "+15005550006", body: "x" });
  } catch (err) {
    console.log(`magic number: ${err.status} ${err.code} ${err.message}`);
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
