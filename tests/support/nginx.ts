// nginx (Debian package nginx-light or nginx) as a peer no one here wrote: an HTTPS server on 127.0.0.1 whose answer
// names what it negotiated ("nginx: TLSv1.3 TLS_AES_128_GCM_SHA256 X25519 early=1 reused=r"), with session tickets and,
// when asked, 0-RTT (ssl_early_data on). Everything it writes lives in a fresh temporary folder (its prefix, config,
// pid file, logs and temp paths), so it runs without root and touches nothing of the system's nginx. It runs as one
// process in the foreground (daemon off, master_process off), so close() stops it by its own pid. nginx writes no key
// log: tests check our key log by decrypting the records a relay saw (tests/support/client-tamper-proxy.ts).
import { spawn } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import * as net from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type CertificateFiles, FIXTURE_CERTIFICATES, freePort, stopChild, trackChild } from "./gnutls.js";

const HOST = "127.0.0.1";

export interface NginxOptions {
  /** ssl_protocols (default "TLSv1.2 TLSv1.3"). */
  protocols?: string;
  /** ssl_ciphers, OpenSSL's names of the TLS 1.2 suites (default: nginx's own, "HIGH:!aNULL:!MD5"). */
  ciphers?: string;
  /** The TLS 1.3 suites (ssl_conf_command Ciphersuites …; default OpenSSL's). */
  ciphersuites?: string;
  /** ssl_ecdh_curve (default "X25519:prime256v1:secp384r1"). */
  curves?: string;
  /** ssl_early_data on: accept 0-RTT requests (RFC 8446 §4.2.10). */
  earlyData?: boolean;
  /** The certificates to serve; OpenSSL picks the one that fits the client (default: the RSA and P-256 fixtures). */
  certificates?: CertificateFiles[];
  /** More directives for the server block. */
  extra?: string;
}

export interface NginxServer {
  port: number;
  /**
   * The access log so far, one line per request: "$ssl_protocol $ssl_cipher $ssl_curve $ssl_early_data
   * $ssl_session_reused $status", e.g. "TLSv1.3 TLS_AES_128_GCM_SHA256 X25519 1 r 200".
   */
  accessLog(): string[];
  /** The error log so far (nginx's own account of refused handshakes, at level info). */
  errorLog(): string;
  close(): Promise<void>;
}

/** The nginx binary: on PATH, else where Debian puts it. */
function nginxBinary(): string {
  for (const dir of (process.env.PATH ?? "").split(":").concat(["/usr/sbin", "/usr/local/sbin"])) {
    if (dir !== "" && existsSync(join(dir, "nginx"))) return join(dir, "nginx");
  }
  return "nginx";
}

function config(dir: string, port: number, o: NginxOptions): string {
  const certificates = o.certificates ?? FIXTURE_CERTIFICATES;
  return `# written by tests/support/nginx.ts for one test suite
daemon off;
master_process off;
worker_processes 1;
pid ${dir}/nginx.pid;
lock_file ${dir}/nginx.lock;
error_log ${dir}/error.log info;
events { worker_connections 64; }
http {
  client_body_temp_path ${dir}/body;
  proxy_temp_path ${dir}/proxy;
  fastcgi_temp_path ${dir}/fastcgi;
  uwsgi_temp_path ${dir}/uwsgi;
  scgi_temp_path ${dir}/scgi;
  log_format tls '$ssl_protocol $ssl_cipher $ssl_curve $ssl_early_data $ssl_session_reused $status';
  access_log ${dir}/access.log tls;
  server {
    listen ${HOST}:${port} ssl;
    server_name localhost;
${certificates.map((c) => `    ssl_certificate ${c.cert};\n    ssl_certificate_key ${c.key};`).join("\n")}
    ssl_protocols ${o.protocols ?? "TLSv1.2 TLSv1.3"};
    ssl_ecdh_curve ${o.curves ?? "X25519:prime256v1:secp384r1"};
${o.ciphers !== undefined ? `    ssl_ciphers ${o.ciphers};\n` : ""}${o.ciphersuites !== undefined ? `    ssl_conf_command Ciphersuites ${o.ciphersuites};\n` : ""}    ssl_session_tickets on;
    ssl_early_data ${o.earlyData === true ? "on" : "off"};
${o.extra ?? ""}
    location / {
      default_type text/plain;
      return 200 "nginx: $ssl_protocol $ssl_cipher $ssl_curve early=$ssl_early_data reused=$ssl_session_reused\\n";
    }
  }
}
`;
}

/** True once something accepts a TCP connection on 127.0.0.1:port. */
function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host: HOST, port });
    socket.once("connect", () => {
      socket.destroy();
      resolve(true);
    });
    socket.once("error", () => resolve(false));
  });
}

/** Starts nginx with its own prefix in a temporary folder, listening on 127.0.0.1 at a free port. */
export async function startNginx(options: NginxOptions = {}): Promise<NginxServer> {
  const dir = mkdtempSync(join(tmpdir(), "tls-by-hand-nginx-"));
  const read = (name: string): string => {
    try {
      return readFileSync(join(dir, name), "utf8");
    } catch {
      return "";
    }
  };
  let lastError = "";
  for (let attempt = 0; attempt < 5; attempt++) {
    const port = await freePort();
    writeFileSync(join(dir, "nginx.conf"), config(dir, port, options));
    for (const sub of ["body", "proxy", "fastcgi", "uwsgi", "scgi"]) mkdirSync(join(dir, sub), { recursive: true });
    const child = spawn(nginxBinary(), ["-p", dir, "-c", join(dir, "nginx.conf"), "-e", join(dir, "error.log")], { stdio: ["ignore", "pipe", "pipe"] });
    trackChild(child);
    let output = "";
    child.stdout!.on("data", (c: Buffer) => (output += c.toString("latin1")));
    child.stderr!.on("data", (c: Buffer) => (output += c.toString("latin1")));
    let spawnError: Error | undefined;
    child.once("error", (e) => (spawnError = e));
    const deadline = Date.now() + 5000;
    let up = false;
    while (!up && child.exitCode === null && spawnError === undefined && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 25));
      up = await accepts(port);
    }
    if (spawnError !== undefined) {
      rmSync(dir, { recursive: true, force: true });
      throw new Error(`cannot run nginx (Debian package nginx-light or nginx; .ci/run installs it): ${(spawnError as Error).message}`);
    }
    if (!up) {
      await stopChild(child);
      lastError = `${output}${read("error.log")}`;
      if (/in use|bind\(\)/i.test(lastError)) continue; // lost the race for the port
      rmSync(dir, { recursive: true, force: true });
      throw new Error(`nginx did not start:\n${lastError}`);
    }
    let closing: Promise<void> | undefined;
    return {
      port,
      accessLog: () => read("access.log").split("\n").filter((l) => l !== ""),
      errorLog: () => read("error.log"),
      close: () => (closing ??= stopChild(child).then(() => rmSync(dir, { recursive: true, force: true }))),
    };
  }
  rmSync(dir, { recursive: true, force: true });
  throw new Error(`nginx could not bind a port after 5 attempts; last error:\n${lastError}`);
}
