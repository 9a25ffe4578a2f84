// The attacker of `npm run bench:login`, in a process of its own so that its 200 sockets do not slow the
// measuring client: on each message it sends one burst of simultaneous wrong logins and reports the answers.
const [baseUrl] = process.argv.slice(2);
let wave = 0;

process.on('message', async ({ size }) => {
  wave += 1;
  const started = performance.now();
  const statuses = await Promise.all(
    Array.from({ length: size }, async (_value, index) => {
      const response = await fetch(`${baseUrl}/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ username: `intruder-${wave}-${index}`, password: 'not-the-password' }),
      });
      await response.arrayBuffer();
      return response.status;
    }),
  );
  process.send({ statuses, ms: performance.now() - started });
});
process.send({ ready: true });
