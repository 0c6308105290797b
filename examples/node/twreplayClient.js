// An httpClient for the Twilio Node SDK that sends every request to `twreplay serve`,
// keeping the Twilio host it was meant for in the Host header (so every domain works).
const { RequestClient } = require("twilio");

class TwreplayClient extends RequestClient {
  constructor(baseUrl, options = {}) {
    super(options);
    this.baseUrl = baseUrl.replace(/\/$/, "");
  }

  request(opts) {
    const target = new URL(opts.uri);
    const headers = { ...(opts.headers || {}), Host: target.host };
    const uri = this.baseUrl + target.pathname + target.search;
    return super.request({ ...opts, uri, headers });
  }
}

module.exports = { TwreplayClient };
