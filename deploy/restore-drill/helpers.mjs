// Small helpers for deploy/restore-drill/run (Node.js is already needed by deploy/validate):
//   port                          a free loopback TCP port
//   json FILE PATH                a value from a JSON file (PATH like session.id), printed raw
//   serve-keys CERT_PEM PORT KID  serve {KID: certificate} at http://127.0.0.1:PORT/keys.json, as Google serves
//                                 Firebase's token signing certificates (until killed)
//   token KEY_PEM KID CLAIMS_JSON an RS256 ID token signed with KEY_PEM, as Firebase issues them
import { createServer } from "node:net";
import { createServer as createHttpServer } from "node:http";
import { readFileSync } from "node:fs";
import { createSign } from "node:crypto";

const [command, ...args] = process.argv.slice(2);
const base64url = (data) => Buffer.from(data).toString("base64url");

switch (command) {
  case "port": {
    const server = createServer().listen(0, "127.0.0.1", () => {
      console.log(server.address().port);
      server.close();
    });
    break;
  }
  case "json": {
    const value = args[1].split(".").reduce((v, k) => v?.[k], JSON.parse(readFileSync(args[0], "utf8")));
    if (value === undefined) {
      console.error(`no ${args[1]} in ${args[0]}`);
      process.exit(1);
    }
    console.log(typeof value === "string" ? value : JSON.stringify(value));
    break;
  }
  case "serve-keys": {
    const body = JSON.stringify({ [args[2]]: readFileSync(args[0], "utf8") });
    createHttpServer((req, res) => {
      if (req.url !== "/keys.json") return res.writeHead(404).end();
      res.writeHead(200, { "content-type": "application/json; charset=utf-8", "cache-control": "public, max-age=3600" }).end(body);
    }).listen(Number(args[1]), "127.0.0.1");
    break;
  }
  case "token": {
    const header = base64url(JSON.stringify({ alg: "RS256", kid: args[1], typ: "JWT" }));
    const payload = base64url(args[2]);
    const signature = createSign("RSA-SHA256").update(`${header}.${payload}`).sign(readFileSync(args[0], "utf8"));
    console.log(`${header}.${payload}.${base64url(signature)}`);
    break;
  }
  default:
    console.error(`unknown command ${command}`);
    process.exit(2);
}
