/* version: the one place the program's version is written. */
#ifndef REVAL_VERSION_H
#define REVAL_VERSION_H

#define REVAL_VERSION "0.1.0"

#endif
