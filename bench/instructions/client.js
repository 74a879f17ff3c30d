// Sends N GET /api/hello requests to 127.0.0.1:PORT over 4 keep-alive connections, each with the
// token in TOKEN; exits non-zero at the first answer that is not 200 (a refused token would
// measure the error path).  node client.js PORT N
const http = require('node:http');

const [port, n] = [Number(process.argv[2]), Number(process.argv[3])];
const authorization = `Bearer ${process.env.TOKEN}`;
const agent = new http.Agent({ keepAlive: true, maxSockets: 4 });

function one() {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, path: '/api/hello', agent, headers: { authorization } }, (res) => {
      res.resume();
      res.on('end', () => (res.statusCode === 200 ? resolve() : reject(new Error(`answer ${res.statusCode}`))));
    });
    req.on('error', reject);
    req.end();
  });
}

let sent = 0;
const connection = async () => {
  while (sent++ < n) await one();
};
Promise.all([connection(), connection(), connection(), connection()])
  .then(() => agent.destroy())
  .catch((err) => {
    console.error(err.message);
    process.exit(1);
  });
