//! TLS with rustls: certificates are always verified, against roots you provide.

use std::sync::Arc;

use tokio_rustls::rustls::pki_types::{CertificateDer, ServerName};
use tokio_rustls::rustls::{ClientConfig, RootCertStore};

use crate::Error;

/// TLS settings: the server name to verify and the trusted roots.
#[derive(Clone)]
pub struct TlsConfig {
    pub(crate) server_name: String,
    pub(crate) config: Arc<ClientConfig>,
}

impl std::fmt::Debug for TlsConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TlsConfig")
            .field("server_name", &self.server_name)
            .finish_non_exhaustive()
    }
}

impl TlsConfig {
    /// Trusts the CA certificates in `pem` (your PBX's CA or its self-signed certificate).
    pub fn with_ca_pem(server_name: impl Into<String>, pem: &[u8]) -> Result<Self, Error> {
        let mut roots = RootCertStore::empty();
        let mut reader = pem;
        let mut added = 0;
        for cert in rustls_pemfile::certs(&mut reader) {
            let cert: CertificateDer<'static> = cert.map_err(|e| Error::Tls(e.to_string()))?;
            roots.add(cert).map_err(|e| Error::Tls(e.to_string()))?;
            added += 1;
        }
        if added == 0 {
            return Err(Error::Tls("no certificate found in the CA PEM".into()));
        }
        Self::with_roots(server_name, roots)
    }

    /// Trusts the given root store.
    pub fn with_roots(server_name: impl Into<String>, roots: RootCertStore) -> Result<Self, Error> {
        let provider = Arc::new(tokio_rustls::rustls::crypto::ring::default_provider());
        let config = ClientConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .map_err(|e| Error::Tls(e.to_string()))?
            .with_root_certificates(roots)
            .with_no_client_auth();
        Ok(TlsConfig {
            server_name: server_name.into(),
            config: Arc::new(config),
        })
    }

    /// Uses a fully custom rustls configuration.
    pub fn with_config(server_name: impl Into<String>, config: Arc<ClientConfig>) -> Self {
        TlsConfig {
            server_name: server_name.into(),
            config,
        }
    }

    pub(crate) fn server_name(&self) -> Result<ServerName<'static>, Error> {
        ServerName::try_from(self.server_name.clone()).map_err(|e| Error::Tls(e.to_string()))
    }
}
