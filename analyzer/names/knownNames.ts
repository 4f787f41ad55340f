/**
 * The table we maintain of well-known import-name → distribution mismatches, and of PyPI → conda
 * package-name differences. Facts only, written for this project; each entry says where the fact
 * can be checked: by default the distribution's own PyPI page (which documents the import name),
 * otherwise the `cite` given. Conda names refer to conda-forge unless noted.
 *
 * Keys may be dotted (`mpl_toolkits.basemap`, `google.protobuf`): the longest matching prefix of an
 * import wins, so namespace packages map to the right distribution.
 * Only mismatches are listed; an import whose PEP 503-normalised name equals its distribution's
 * (numpy, requests, flask_cors → Flask-Cors) needs no entry.
 */

export interface KnownImport {
  /** Import name (top-level or dotted prefix). */
  module: string;
  /** PyPI distribution(s), most likely first. */
  pypi: string[];
  /** conda-forge package when it differs from the lower-cased PyPI name. */
  conda?: string;
  /** Where the fact comes from. */
  cite: string;
  note?: string;
}

const pypiPage = (name: string): string => `https://pypi.org/project/${name}/`;
const condaPage = (name: string): string => `https://anaconda.org/conda-forge/${name}`;

/** [module, pypi (| alternatives), conda?, cite?, note?] */
type Row = [string, string | string[], (string | null)?, (string | null)?, string?];

const rows: Row[] = [
  // --- scientific Python and its close neighbours
  ['yaml', 'PyYAML', 'pyyaml'],
  ['_yaml', 'PyYAML', 'pyyaml'],
  ['sklearn', 'scikit-learn'],
  ['skimage', 'scikit-image'],
  ['skopt', 'scikit-optimize'],
  ['skfuzzy', 'scikit-fuzzy'],
  ['skbio', 'scikit-bio'],
  ['skvideo', 'scikit-video'],
  ['imblearn', 'imbalanced-learn'],
  ['PIL', 'Pillow', 'pillow'],
  ['cv2', ['opencv-python', 'opencv-python-headless', 'opencv-contrib-python'], 'opencv'],
  ['mpl_toolkits.basemap', 'basemap', 'basemap', 'https://matplotlib.org/basemap/'],
  ['mpl_toolkits', 'matplotlib', null, 'https://matplotlib.org/stable/api/toolkits/index.html'],
  ['pylab', 'matplotlib', null, 'https://matplotlib.org/stable/api/pylab.html'],
  ['dateutil', 'python-dateutil'],
  ['pywt', 'PyWavelets', 'pywavelets'],
  ['mkl', 'mkl-service', 'mkl-service'],
  ['pyximport', 'Cython', 'cython'],
  ['Cython', 'Cython', 'cython'],
  ['numpy.f2py', 'numpy'],
  ['osgeo', 'GDAL', 'gdal'],
  ['gdal', 'GDAL', 'gdal', null, 'legacy top-level binding of GDAL < 3'],
  ['ogr', 'GDAL', 'gdal', null, 'legacy top-level binding of GDAL < 3'],
  ['osr', 'GDAL', 'gdal', null, 'legacy top-level binding of GDAL < 3'],
  ['gdalconst', 'GDAL', 'gdal', null, 'legacy top-level binding of GDAL < 3'],
  ['shapefile', 'pyshp'],
  ['iris', 'scitools-iris', 'iris', 'https://scitools-iris.readthedocs.io/en/stable/installing.html'],
  ['eccodes', 'eccodes', 'python-eccodes', 'https://github.com/ecmwf/eccodes-python'],
  ['gribapi', 'eccodes', 'python-eccodes', 'https://github.com/ecmwf/eccodes-python'],
  ['Nio', 'PyNIO', 'pynio', 'https://github.com/NCAR/pynio', 'conda-forge only'],
  ['Ngl', 'PyNGL', 'pyngl', 'https://github.com/NCAR/pyngl', 'conda-forge only'],
  ['wrf', 'wrf-python', 'wrf-python', 'https://wrf-python.readthedocs.io/en/latest/installation.html'],
  ['ESMF', 'esmpy', 'esmpy', 'https://earthsystemmodeling.org/esmpy/', 'ESMPy < 8.4 imports as ESMF'],
  ['ecmwfapi', 'ecmwf-api-client'],
  ['ecmwf.opendata', 'ecmwf-opendata'],
  ['pyart', 'arm-pyart', 'arm_pyart', 'https://arm-doe.github.io/pyart/'],
  ['act', 'act-atmos', 'act-atmos', 'https://arm-doe.github.io/ACT/'],
  ['herbie', 'herbie-data', 'herbie-data'],
  ['ee', 'earthengine-api'],
  ['simtk', 'openmm', 'openmm', 'https://openmm.org/', 'OpenMM < 7.6 imports as simtk.openmm'],
  ['Bio', 'biopython'],
  ['vcf', 'PyVCF'],
  ['community', 'python-louvain'],
  ['igraph', 'igraph', 'python-igraph', 'https://python.igraph.org/en/stable/'],
  ['stan', 'pystan', 'pystan', 'https://pystan.readthedocs.io/en/latest/', 'PyStan 3 imports as stan'],
  ['fitz', 'PyMuPDF', 'pymupdf'],
  ['OpenGL', 'PyOpenGL', 'pyopengl'],
  ['tables', 'tables', 'pytables', condaPage('pytables')],
  ['graphviz', 'graphviz', 'python-graphviz', condaPage('python-graphviz')],
  ['duckdb', 'duckdb', 'python-duckdb', condaPage('python-duckdb')],
  ['kaleido', 'kaleido', 'python-kaleido', condaPage('python-kaleido')],
  ['blosc', 'blosc', 'python-blosc', condaPage('python-blosc')],
  ['symengine', 'symengine', 'python-symengine', condaPage('python-symengine')],
  ['xxhash', 'xxhash', 'python-xxhash', condaPage('python-xxhash')],
  ['lmdb', 'lmdb', 'python-lmdb', condaPage('python-lmdb')],
  ['flatbuffers', 'flatbuffers', 'python-flatbuffers', condaPage('python-flatbuffers')],
  ['annoy', 'annoy', 'python-annoy', condaPage('python-annoy')],
  ['brotli', 'Brotli', 'brotli-python', condaPage('brotli-python')],
  ['msgpack', 'msgpack', 'msgpack-python', condaPage('msgpack-python')],
  ['xgboost', 'xgboost', 'py-xgboost', condaPage('py-xgboost')],
  ['torch', 'torch', 'pytorch', 'https://pytorch.org/get-started/locally/'],
  ['ray', 'ray', 'ray-default', condaPage('ray-default')],
  ['docker', 'docker', 'docker-py', condaPage('docker-py')],
  ['tzdata', 'tzdata', 'python-tzdata', condaPage('python-tzdata')],
  ['fastjsonschema', 'fastjsonschema', 'python-fastjsonschema', condaPage('python-fastjsonschema')],
  ['build', 'build', 'python-build', condaPage('python-build')],
  ['installer', 'installer', 'python-installer', condaPage('python-installer')],
  ['libarchive', 'libarchive-c', 'python-libarchive-c', condaPage('python-libarchive-c')],
  ['PyQt5', 'PyQt5', 'pyqt', condaPage('pyqt')],
  ['janitor', 'pyjanitor'],
  ['cpuinfo', 'py-cpuinfo'],
  ['pynvml', ['nvidia-ml-py', 'pynvml']],
  ['matlab.engine', 'matlabengine', null, 'https://pypi.org/project/matlabengine/'],
  ['umap', 'umap-learn'],
  ['hydra', 'hydra-core'],
  ['box', 'python-box'],
  ['progressbar', ['progressbar2', 'progressbar']],
  ['ffmpeg', 'ffmpeg-python'],
  ['speech_recognition', 'SpeechRecognition'],
  ['vlc', 'python-vlc'],
  ['barcode', 'python-barcode'],
  ['fpdf', ['fpdf2', 'fpdf']],
  ['pdfminer', 'pdfminer.six'],
  ['camelot', 'camelot-py'],
  ['tabula', 'tabula-py'],
  ['odf', 'odfpy'],
  ['readability', 'readability-lxml'],
  ['newspaper', 'newspaper3k'],
  ['enchant', 'pyenchant'],
  ['MeCab', 'mecab-python3'],
  ['grpc', 'grpcio'],
  ['grpc_tools', 'grpcio-tools'],
  ['google.protobuf', 'protobuf'],
  ['capnp', 'pycapnp'],
  ['sentence_transformers', 'sentence-transformers'],
  // --- standard-library companions and packaging
  ['pkg_resources', 'setuptools'],
  ['_distutils_hack', 'setuptools'],
  ['past', 'future'],
  ['libfuturize', 'future'],
  ['libpasteurize', 'future'],
  ['attr', 'attrs'],
  ['backports.zoneinfo', 'backports.zoneinfo'],
  ['backports.functools_lru_cache', 'backports.functools-lru-cache'],
  ['backports.tarfile', 'backports.tarfile'],
  ['jaraco.classes', 'jaraco.classes'],
  ['jaraco.functools', 'jaraco.functools'],
  ['jaraco.context', 'jaraco.context'],
  ['jaraco.text', 'jaraco.text'],
  ['zope.interface', 'zope.interface'],
  ['zope.event', 'zope.event'],
  ['zope.deprecation', 'zope.deprecation'],
  ['ruamel.yaml', 'ruamel.yaml'],
  ['ruamel_yaml', 'ruamel.yaml', 'ruamel_yaml', condaPage('ruamel_yaml'), 'conda-forge vendored name'],
  ['typing_extensions', 'typing-extensions'],
  ['_cffi_backend', 'cffi'],
  ['_pytest', 'pytest'],
  ['pytest_cov', 'pytest-cov'],
  // --- crypto, security, auth
  ['Crypto', ['pycryptodome', 'pycrypto']],
  ['Cryptodome', 'pycryptodomex'],
  ['OpenSSL', 'pyOpenSSL', 'pyopenssl'],
  ['jwt', 'PyJWT', 'pyjwt'],
  ['jose', 'python-jose'],
  ['nacl', 'PyNaCl', 'pynacl'],
  ['argon2', 'argon2-cffi'],
  ['gnupg', 'python-gnupg'],
  ['saml2', 'pysaml2'],
  ['onelogin', 'python3-saml'],
  ['spnego', 'pyspnego'],
  ['winrm', 'pywinrm'],
  ['smbclient', 'smbprotocol'],
  ['smb', 'pysmb'],
  ['ldap', 'python-ldap'],
  ['dns', 'dnspython'],
  ['socks', 'PySocks', 'pysocks'],
  ['sockshandler', 'PySocks', 'pysocks'],
  ['websocket', 'websocket-client'],
  // --- system, hardware, desktop
  ['serial', 'pyserial'],
  ['usb', 'pyusb'],
  ['bluetooth', 'PyBluez'],
  ['RPi', 'RPi.GPIO'],
  ['win32api', 'pywin32'],
  ['win32con', 'pywin32'],
  ['win32com', 'pywin32'],
  ['win32gui', 'pywin32'],
  ['win32file', 'pywin32'],
  ['win32process', 'pywin32'],
  ['win32event', 'pywin32'],
  ['win32service', 'pywin32'],
  ['win32serviceutil', 'pywin32'],
  ['win32clipboard', 'pywin32'],
  ['pythoncom', 'pywin32'],
  ['pywintypes', 'pywin32'],
  ['wx', 'wxPython', 'wxpython'],
  ['gi', 'PyGObject', 'pygobject'],
  ['cairo', 'pycairo'],
  ['dbus', 'dbus-python'],
  ['cups', 'pycups'],
  ['Xlib', 'python-xlib'],
  ['zmq', 'pyzmq'],
  ['magic', 'python-magic'],
  ['daemon', 'python-daemon'],
  ['crontab', ['python-crontab', 'crontab']],
  ['patoolib', 'patool'],
  ['nmap', 'python-nmap'],
  ['whois', 'python-whois'],
  // --- web, services, clients
  ['bs4', 'beautifulsoup4'],
  ['git', 'GitPython', 'gitpython'],
  ['github', 'PyGithub', 'pygithub'],
  ['gitlab', 'python-gitlab'],
  ['jenkins', 'python-jenkins'],
  ['atlassian', 'atlassian-python-api'],
  ['redminelib', 'python-redmine'],
  ['consul', 'python-consul'],
  ['etcd', 'python-etcd'],
  ['dotenv', 'python-dotenv'],
  ['decouple', 'python-decouple'],
  ['environ', 'django-environ'],
  ['frontmatter', 'python-frontmatter'],
  ['multipart', 'python-multipart'],
  ['slugify', 'python-slugify'],
  ['socketio', 'python-socketio'],
  ['engineio', 'python-engineio'],
  ['telegram', 'python-telegram-bot'],
  ['discord', 'discord.py'],
  ['slack', 'slackclient'],
  ['slack_sdk', 'slack-sdk'],
  ['docx', 'python-docx'],
  ['pptx', 'python-pptx'],
  ['mimeparse', 'python-mimeparse'],
  ['pythonjsonlogger', 'python-json-logger'],
  ['memcache', 'python-memcached'],
  ['rediscluster', 'redis-py-cluster'],
  ['opensearchpy', 'opensearch-py'],
  ['cassandra', 'cassandra-driver'],
  ['bson', 'pymongo', null, null, 'also the standalone "bson" distribution, which conflicts with pymongo'],
  ['gridfs', 'pymongo'],
  ['MySQLdb', 'mysqlclient'],
  ['mysql.connector', 'mysql-connector-python'],
  ['snowflake.connector', 'snowflake-connector-python'],
  ['impala', 'impyla'],
  ['paho.mqtt', 'paho-mqtt'],
  ['kafka', 'kafka-python'],
  ['libcloud', 'apache-libcloud'],
  ['airflow', 'apache-airflow'],
  ['rest_framework', 'djangorestframework'],
  ['corsheaders', 'django-cors-headers'],
  ['debug_toolbar', 'django-debug-toolbar'],
  ['django_filters', 'django-filter'],
  ['crispy_forms', 'django-crispy-forms'],
  ['storages', 'django-storages'],
  ['allauth', 'django-allauth'],
  ['googleapiclient', 'google-api-python-client'],
  ['apiclient', 'google-api-python-client'],
  ['google_auth_oauthlib', 'google-auth-oauthlib'],
  ['google.auth', 'google-auth'],
  ['google.oauth2', 'google-auth'],
  ['google.cloud.storage', 'google-cloud-storage'],
  ['google.cloud.bigquery', 'google-cloud-bigquery'],
  ['google.cloud.pubsub', 'google-cloud-pubsub'],
  ['google.cloud.pubsub_v1', 'google-cloud-pubsub'],
  ['google.cloud.firestore', 'google-cloud-firestore'],
  ['google.cloud.secretmanager', 'google-cloud-secret-manager'],
  ['google.generativeai', 'google-generativeai'],
  ['azure.storage.blob', 'azure-storage-blob'],
  ['azure.identity', 'azure-identity'],
  ['azure.core', 'azure-core'],
  ['azure.keyvault.secrets', 'azure-keyvault-secrets'],
  ['opentelemetry.sdk', 'opentelemetry-sdk'],
  ['opentelemetry', 'opentelemetry-api'],
  ['snappy', 'python-snappy'],
  // --- ML / data tooling
  ['tflite_runtime', 'tflite-runtime'],
  ['lightning', 'lightning'],
  ['pytorch_lightning', 'pytorch-lightning'],
];

/** The import-name table, in declaration order (dotted prefixes and top-level names). */
export const knownImports: KnownImport[] = rows.map(([module, pypi, conda, cite, note]) => {
  const list = Array.isArray(pypi) ? pypi : [pypi];
  return {
    module,
    pypi: list,
    ...(conda ? { conda } : {}),
    cite: cite ?? pypiPage(list[0]),
    ...(note ? { note } : {}),
  };
});

/**
 * PyPI name (normalised) → conda-forge package, where they differ beyond case, and the reverse.
 * Includes the entries of the import table that name a conda package.
 */
export const condaByPypi: ReadonlyMap<string, { conda: string; cite: string }> = (() => {
  const extra: [string, string, string][] = [
    ['opencv-python-headless', 'opencv', condaPage('opencv')],
    ['opencv-contrib-python', 'opencv', condaPage('opencv')],
    ['psycopg2-binary', 'psycopg2', condaPage('psycopg2')],
    ['tensorflow-cpu', 'tensorflow', condaPage('tensorflow')],
    ['python-igraph', 'python-igraph', condaPage('python-igraph')],
    ['faiss-cpu', 'faiss-cpu', condaPage('faiss-cpu')],
  ];
  const map = new Map<string, { conda: string; cite: string }>();
  const norm = (n: string): string => n.replace(/[-_.]+/g, '-').toLowerCase();
  for (const k of knownImports) {
    if (!k.conda) continue;
    for (const p of k.pypi) {
      if (norm(p) !== norm(k.conda) && !map.has(norm(p))) map.set(norm(p), { conda: k.conda, cite: k.cite });
    }
  }
  for (const [p, c, cite] of extra) if (!map.has(norm(p))) map.set(norm(p), { conda: c, cite });
  return map;
})();
