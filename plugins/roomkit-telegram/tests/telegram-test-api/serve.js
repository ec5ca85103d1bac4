// Starts the telegram-test-api Bot API emulator on 127.0.0.1:<port> for roomkit-telegram's
// tests, prints "ready <port>", and stops when its stdin closes (the test ends).
const TelegramServer = require('telegram-test-api');

const port = Number(process.argv[2]);
const server = new TelegramServer({ port, host: '127.0.0.1', storeTimeout: 600 });

server.start().then(() => {
  process.stdout.write(`ready ${port}\n`);
});

process.stdin.resume();
process.stdin.on('end', () => {
  server.stop().then(() => process.exit(0));
});
