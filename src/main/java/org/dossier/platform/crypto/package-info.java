/** Encryption at rest: the key-encryption key outside the database, the facilities' data keys, sealed columns, blind indexes. */
package org.dossier.platform.crypto;
