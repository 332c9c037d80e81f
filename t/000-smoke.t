#!/usr/bin/perl

# Smoke test: nginx starts with nginx-rtmp and Sluice loaded, serves HTTP
# and HTTPS, accepts RTMP connections, passes nginx -t and reloads.
# Also the reference example of the Test::Sluice API (t/lib/Test/Sluice.pm).

use strict;
use warnings;

use Test::More;

use FindBin;
use lib "$FindBin::Bin/lib";
use Test::Sluice;

my $t = Test::Sluice->new()->plan(14);

my $conf = <<'EOF';
%%TEST_GLOBALS%%

worker_processes 2;

events {}

rtmp {
    server {
        listen 127.0.0.1:%%PORT_1935%%;

        application live {
            live on;
        }
    }
}

http {
    %%TEST_GLOBALS_HTTP%%

    server {
        listen 127.0.0.1:%%PORT_8080%%;
        listen 127.0.0.1:%%PORT_8443%% ssl;
        server_name localhost;

        ssl_certificate %%CERT%%;
        ssl_certificate_key %%CERT_KEY%%;

        location = /hello {
            return 200 "hello %%MARK%%\n";
        }

        location /static/ {
            root %%TESTDIR%%;
        }
    }
}
EOF

(my $c1 = $conf) =~ s/%%MARK%%/one/;
$t->write_file_expand('nginx.conf', $c1);
$t->write_file('static/file.txt', '0123456789' x 10);

my ($rc, $out) = $t->nginx_t();
is($rc, 0, 'nginx -t succeeds') or diag($out);
like($out, qr/test is successful/, 'nginx -t output');

$t->run();

my $r = $t->get('/hello');
is($r->{status}, 200, 'static response status');
is($r->{body}, "hello one\n", 'static response body');

is($t->get('/nothing-here')->{status}, 404, 'unknown path is 404');

$r = $t->get('/static/file.txt', headers => { Range => 'bytes=10-19' });
is($r->{status}, 206, 'range status');
is($r->{body}, '0123456789', 'range body');

$r = $t->head('/static/file.txt');
is($r->{headers}{'content-length'}, 100, 'HEAD content-length');
is($r->{body}, '', 'HEAD has no body');

$r = $t->get('/hello', https => 1);
is($r->{body}, "hello one\n", 'https response');

my $s = IO::Socket::INET->new(PeerAddr => '127.0.0.1:' . $t->port(1935));
ok($s, 'rtmp port accepts connections');
close $s if $s;

(my $c2 = $conf) =~ s/%%MARK%%/two/;
$t->write_file_expand('nginx.conf', $c2);
ok($t->reload(), 'reload');
ok($t->wait_for(sub { $t->get('/hello')->{body} eq "hello two\n" }, 10),
    'new configuration served after reload');

# an unknown directive is rejected by nginx -t (which also logs it to
# error.log: declared as expected, or the final check would fail)
$t->expect_errors(qr/unknown directive "sluice_no_such_directive"/);
$t->write_file_expand('nginx.conf', $c2 . "sluice_no_such_directive on;\n");
($rc, $out) = $t->nginx_t();
isnt($rc, 0, 'nginx -t rejects an unknown directive');
